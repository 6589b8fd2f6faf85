/* Clocks of a virtio guest. Monotonic time is the TSC scaled to
 * nanoseconds, counted from the first instruction (pvh.S), so it reads
 * the guest's boot time directly; reading it never leaves the guest. The
 * TSC's rate comes from, in order of preference:
 *
 *   1. kvmclock (KVM-based VMMs: QEMU with KVM, Firecracker,
 *      cloud-hypervisor): the host's own scale factors, exact;
 *   2. the PIT (QEMU with TCG, or any VMM with an 8254): the TSC is
 *      counted over PIT_CALIBRATION_TICKS of channel 0 (2 ms). The error
 *      is the time to read the counter once, a few microseconds under
 *      TCG: well under 0.5%.
 *
 * Wall time: kvmclock's wall clock where there is one, else the CMOS RTC
 * read once at boot (whole seconds: up to 1 s behind the host), advanced
 * by the monotonic clock. Without either it starts at the epoch. */
#include "../x86_64/x86.h"
#include "pith/exit.h"
#include "vdev.h"
#include "vio.h"

#define NSEC_PER_SEC 1000000000ULL

#define PIT_HZ		      1193182ULL
#define PIT_CALIBRATION_TICKS 2386 /* 2 ms */
#define PIT_CTRL	      0x43
#define PIT_CH0		      0x40
#define PIT_CH0_MODE2	      0x34 /* channel 0, lobyte/hibyte, rate generator */
#define PIT_CH0_LATCH	      0x00
/* Reads of the counter before the PIT is declared absent or stuck: 2 ms
 * takes a few thousand even on a fast VMM. */
#define PIT_POLLS_MAX 10000000

/* Slowest and fastest TSC believed, in kHz: outside, calibration failed. */
#define TSC_KHZ_MIN 100000ULL
#define TSC_KHZ_MAX 20000000ULL

#define KVM_CPUID_SIGNATURE	 0x40000000
#define KVM_CPUID_FEATURES	 0x40000001
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define MSR_KVM_WALL_CLOCK_NEW	 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	 0x4b564d01

struct pvclock_time {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
};

struct pvclock_wall {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
};

static volatile struct pvclock_time kvm_time __attribute__((aligned(64)));
static volatile struct pvclock_wall kvm_wall __attribute__((aligned(64)));

uint64_t pith_clock_monotonic(void)
{
	uint64_t d = x86_rdtsc() - vio.tsc0;

	return (uint64_t)(((unsigned __int128)d * vio.tsc_mult) >> 32);
}

uint64_t pith_clock_wall(void)
{
	return vio.wall0 + pith_clock_monotonic();
}

uint64_t vdev_clock(void)
{
	return pith_clock_monotonic();
}

static void set_rate(uint64_t khz, const char *how)
{
	vio.tsc_khz = khz;
	vio.tsc_mult = (1000000ULL << 32) / khz;
	vio.clock = how;
}

static int kvm_present(void)
{
	uint32_t r[4];

	x86_cpuid(KVM_CPUID_SIGNATURE, r);
	if (r[1] != 0x4b4d564b || r[2] != 0x564b4d56 ||
	    r[3] != 0x4d) /* KVMKVMKVM */
		return 0;
	x86_cpuid(KVM_CPUID_FEATURES, r);
	return !!(r[0] & KVM_FEATURE_CLOCKSOURCE2);
}

/* kvmclock's scale: ns = ((tsc delta << shift) * mul) >> 32. */
static int kvmclock(void)
{
	uint64_t mult, sys, tsc;
	uint32_t v;

	if (!kvm_present())
		return -1;
	x86_wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)(uintptr_t)&kvm_time | 1);
	x86_wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uint64_t)(uintptr_t)&kvm_wall);
	do {
		v = kvm_time.version;
		__asm__ volatile("" ::: "memory");
		mult = kvm_time.tsc_to_system_mul;
		mult = kvm_time.tsc_shift >= 0 ? mult << kvm_time.tsc_shift
					       : mult >> -kvm_time.tsc_shift;
		sys = kvm_time.system_time;
		tsc = kvm_time.tsc_timestamp;
		__asm__ volatile("" ::: "memory");
	} while ((v & 1) || v != kvm_time.version);
	if (mult == 0 || (1000000ULL << 32) / mult < TSC_KHZ_MIN)
		return -1;
	set_rate((1000000ULL << 32) / mult, "kvmclock");
	/* The wall clock at the host's system time 0, plus the system time
	 * at our TSC 0. */
	sys += (uint64_t)(((unsigned __int128)(vio.tsc0 - tsc) * mult) >> 32);
	vio.wall0 = (uint64_t)kvm_wall.sec * NSEC_PER_SEC + kvm_wall.nsec + sys;
	return 0;
}

static uint16_t pit_count(void)
{
	uint8_t lo, hi;

	x86_outb(PIT_CTRL, PIT_CH0_LATCH);
	lo = x86_inb(PIT_CH0);
	hi = x86_inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

/* Channel 0 counts down from 65536 at PIT_HZ, over and over (its
 * interrupt goes nowhere: interrupts stay off); the TSC is read as the
 * count passes PIT_CALIBRATION_TICKS. No speaker port needed (QEMU's
 * microvm has none). */
static int pit(void)
{
	uint64_t t0, t1, khz;
	uint16_t c0, c;
	unsigned polls = 0;

	x86_outb(PIT_CTRL, PIT_CH0_MODE2);
	x86_outb(PIT_CH0, 0);
	x86_outb(PIT_CH0, 0);
	c0 = pit_count();
	t0 = x86_rdtsc();
	do {
		c = pit_count();
		if (++polls > PIT_POLLS_MAX)
			return -1;
	} while ((uint16_t)(c0 - c) < PIT_CALIBRATION_TICKS);
	t1 = x86_rdtsc();
	khz = (t1 - t0) * (PIT_HZ / 1000) / (uint16_t)(c0 - c);
	if (khz < TSC_KHZ_MIN || khz > TSC_KHZ_MAX)
		return -1;
	set_rate(khz, "pit");
	return 0;
}

/* --- The CMOS real-time clock ----------------------------------------- */

#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_UIP	     0x80 /* update in progress */
#define RTC_BINARY   0x04
#define RTC_24H	     0x02
#define RTC_PM	     0x80
#define RTC_CENTURY  0x32
#define RTC_TRIES    1000 /* reads until two agree or UIP clears */

static uint8_t cmos(uint8_t reg)
{
	x86_outb(CMOS_INDEX, reg);
	return x86_inb(CMOS_DATA);
}

/* Seconds, minutes, hours, day, month, year, century. */
static void rtc_read(uint8_t t[7])
{
	static const uint8_t regs[7] = { 0, 2, 4, 7, 8, 9, RTC_CENTURY };

	for (unsigned i = 0; i < RTC_TRIES && (cmos(RTC_STATUS_A) & RTC_UIP);
	     i++)
		;
	for (unsigned i = 0; i < 7; i++)
		t[i] = cmos(regs[i]);
}

static unsigned bcd(uint8_t v, int binary)
{
	return binary ? v : (unsigned)(v >> 4) * 10 + (v & 15);
}

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian). */
static uint64_t days(unsigned y, unsigned m, unsigned d)
{
	y -= m <= 2;
	uint64_t era = y / 400, yoe = y - era * 400;
	uint64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static uint64_t rtc_seconds(void)
{
	uint8_t a[7], b[7];
	unsigned i, tries = 0, fmt = cmos(RTC_STATUS_B);
	unsigned sec, min, hour, day, mon, year, cent;
	int bin = !!(fmt & RTC_BINARY);

	do {
		rtc_read(a);
		rtc_read(b);
		for (i = 0; i < 7 && a[i] == b[i]; i++)
			;
	} while (i < 7 && ++tries < RTC_TRIES);
	sec = bcd(a[0], bin);
	min = bcd(a[1], bin);
	hour = bcd(a[2] & (uint8_t)~RTC_PM, bin);
	if (!(fmt & RTC_24H) && (a[2] & RTC_PM))
		hour = (hour % 12) + 12;
	else if (!(fmt & RTC_24H))
		hour %= 12;
	day = bcd(a[3], bin);
	mon = bcd(a[4], bin);
	year = bcd(a[5], bin);
	cent = bcd(a[6], bin);
	year += (cent >= 19 && cent <= 30) ? cent * 100 : 2000;
	if (sec > 59 || min > 59 || hour > 23 || day < 1 || day > 31 ||
	    mon < 1 || mon > 12)
		return 0;
	return days(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

void vio_clock_init(void)
{
	uint64_t secs;

	vio.tsc0 = virtio_tsc_entry;
	if (kvmclock() == 0)
		return;
	if (pit() < 0)
		vio_fail(PITH_EXIT_HOST,
			 "no clock to calibrate the TSC with (neither "
			 "kvmclock nor a PIT)");
	secs = rtc_seconds();
	if (secs)
		vio.wall0 = secs * NSEC_PER_SEC - pith_clock_monotonic();
}
