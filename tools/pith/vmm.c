/* VMM configurations for a virtio image: QEMU's arguments (run with
 * descriptors, or printed with paths), and the equivalent Firecracker
 * (JSON for --config-file) and cloud-hypervisor (command line) setups.
 * docs/deploying.md explains each part.
 *
 * Devices go in manifest order, each type in its own order, which is how
 * the guest binds them (platform/virtio/devices.c): on microvm device N
 * sits on virtio-mmio transport N, on q35 in PCI slot VRUN_PCI_SLOT0 + N.
 * Firecracker and cloud-hypervisor number their devices in the order
 * they are given. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pith/exit.h"
#include "../common/portfwd.h"
#include "virtio.h"

static const char *mac_text(const uint8_t m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}

/* The console (COM1), the diagnostic port (COM2) and QMP. */
static void qemu_ports(struct vrun *r, const int *fds)
{
	if (!fds) {
		/* Printed: one terminal; the guest sends its diagnostics
		 * to COM1 when there is no COM2. */
		vrun_arg(r, "-serial");
		vrun_arg(r, "stdio");
		return;
	}
	vrun_arg(r, "-chardev");
	vrun_arg(r, "file,id=con,path=/dev/fd/%d", fds[0]);
	vrun_arg(r, "-serial");
	vrun_arg(r, "chardev:con");
	vrun_arg(r, "-chardev");
	vrun_arg(r, "file,id=diag,path=/dev/fd/%d", fds[1]);
	vrun_arg(r, "-device");
	vrun_arg(r, "isa-serial,chardev=diag,iobase=0x2f8,irq=3");
	vrun_arg(r, "-chardev");
	vrun_arg(r, "socket,id=qmp,fd=%d", fds[2]);
	vrun_arg(r, "-mon");
	vrun_arg(r, "chardev=qmp,mode=control");
}

/* Where device I goes on the machine, as QEMU -device properties. */
static void place(struct vrun *r, unsigned i, char *buf, size_t n)
{
	if (!strcmp(r->machine, "q35"))
		snprintf(buf, n, "addr=0x%x,disable-legacy=on",
			 VRUN_PCI_SLOT0 + i);
	else
		snprintf(buf, n, "bus=virtio-mmio-bus.%u", i);
}

/* QEMU's user networking for device I, forwarding pith run's -p rules
 * (10.0.2.15 by DHCP, as under pith-net). */
static void user_netdev(struct vrun *r, unsigned i)
{
	char spec[VRUN_NETDEV_MAX], addr[16];
	struct portfwd f;
	struct pith_buf b, err;
	char why[64];

	pith_buf_init(&b, spec, sizeof spec);
	pith_buf_str(&b, "user,id=net");
	pith_buf_udec(&b, i);
	for (unsigned k = 0; k < usernet_nrules; k++) {
		pith_buf_init(&err, why, sizeof why);
		if (portfwd_parse(usernet_rules[k], &f, &err) < 0)
			continue; /* checked by usernet_args already */
		inet_ntop(AF_INET, &f.host_addr, addr, sizeof addr);
		pith_buf_str(&b, ",hostfwd=");
		pith_buf_str(&b, f.udp ? "udp:" : "tcp:");
		pith_buf_str(&b, addr);
		pith_buf_chr(&b, ':');
		pith_buf_udec(&b, f.host_port);
		pith_buf_str(&b, "-:");
		pith_buf_udec(&b, f.guest_port);
	}
	vrun_arg(r, "%s", spec);
}

static void qemu_devices(struct vrun *r, const int *fds)
{
	const char *kind = !strcmp(r->machine, "q35") ? "pci" : "device";
	char at[64], mac[18];

	for (unsigned i = 0; i < r->img->manifest.count; i++) {
		const struct pith_attach *a = pith_options_find(
			&r->opt, r->img->manifest.dev[i].name);

		place(r, i, at, sizeof at);
		if (r->img->manifest.dev[i].type == PITH_DEV_NET) {
			vrun_arg(r, "-netdev");
			if (a->user)
				user_netdev(r, i);
			else if (fds)
				vrun_arg(r, "tap,id=net%u,fd=%d", i,
					 r->dev[i].fd);
			else
				vrun_arg(r,
					 "tap,id=net%u,ifname=%s,script=no,"
					 "downscript=no",
					 i, a->path);
			vrun_arg(r, "-device");
			mac_text(r->mac[i], mac);
			if (fds) /* the tap's MTU, as on the other targets */
				vrun_arg(r,
					 "virtio-net-%s,netdev=net%u,mac=%s,"
					 "host_mtu=%zu,%s",
					 kind, i, mac, r->dev[i].net.mtu, at);
			else
				vrun_arg(r,
					 "virtio-net-%s,netdev=net%u,mac=%s,%s",
					 kind, i, mac, at);
			continue;
		}
		if (fds) {
			vrun_arg(r, "-add-fd");
			vrun_arg(r, "fd=%d,set=%u", r->dev[i].fd, i + 1);
			vrun_arg(r, "-add-fd");
			vrun_arg(r, "fd=%d,set=%u", r->ro_fd[i], i + 1);
		}
		vrun_arg(r, "-drive");
		if (fds)
			vrun_arg(r,
				 "if=none,id=blk%u,format=raw,"
				 "file=/dev/fdset/%u",
				 i, i + 1);
		else
			vrun_arg(r, "if=none,id=blk%u,format=raw,file=%s", i,
				 a->path);
		vrun_arg(r, "-device");
		vrun_arg(r, "virtio-blk-%s,drive=blk%u,%s", kind, i, at);
	}
}

/* The virtio-mmio entries of the command line (microvm adds them only
 * for Linux kernels). */
static void mmio_entries(struct vrun *r)
{
	size_t len = strlen(r->cmdline);
	char *dashes = strstr(r->cmdline, " --");
	char extra[VRUN_MMIO_SLOTS * 48] = "";
	size_t n = 0;

	if (strcmp(r->machine, "microvm") != 0 || !dashes)
		return;
	for (unsigned i = 0; i < r->img->manifest.count; i++)
		n += (size_t)snprintf(extra + n, sizeof extra - n,
				      " virtio_mmio.device=%u@0x%llx",
				      VRUN_MMIO_SIZE,
				      VRUN_MMIO_BASE + (unsigned long long)i *
							       VRUN_MMIO_SIZE);
	if (len + n >= sizeof r->cmdline) {
		fprintf(stderr, "pith run: %s: the command line is too long\n",
			r->path);
		exit(PITH_EXIT_USAGE);
	}
	memmove(dashes + n, dashes, strlen(dashes) + 1);
	memcpy(dashes, extra, n);
}

/* pith run's debugging options (vdebug.h): guest RAM in pith's memfd,
 * QEMU's gdb stub on pith's socket pair, the guest halted until pith
 * lets it run. Without the options, none of this. */
static void qemu_debug(struct vrun *r)
{
	if (r->ram_fd >= 0) {
		vrun_arg(r, "-object");
		vrun_arg(r,
			 "memory-backend-file,id=pith-ram,size=%lluM,"
			 "mem-path=/dev/fd/%d,share=on",
			 (unsigned long long)r->ram_mib, r->ram_fd);
	}
	if (r->gdb_fd >= 0) {
		vrun_arg(r, "-chardev");
		vrun_arg(r, "socket,id=pith-gdb,fd=%d", r->gdb_fd);
		vrun_arg(r, "-gdb");
		vrun_arg(r, "chardev:pith-gdb");
		vrun_arg(r, "-S");
	}
}

void vrun_qemu_args(struct vrun *r, const int *fds)
{
	int kvm = r->accel && !strcmp(r->accel, "kvm");

	mmio_entries(r);
	r->argc = 0;
	r->used = 0;
	vrun_arg(r, "%s",
		 getenv("PITH_QEMU") ? getenv("PITH_QEMU")
				     : "qemu-system-x86_64");
	vrun_arg(r, "-M");
	vrun_arg(r, "%s%s",
		 strcmp(r->machine, "q35") ? "microvm,x-option-roms=off"
					   : "q35",
		 fds && r->ram_fd >= 0 ? ",memory-backend=pith-ram" : "");
	vrun_arg(r, "-accel");
	vrun_arg(r, "%s", kvm ? "kvm" : "tcg");
	vrun_arg(r, "-cpu");
	vrun_arg(r, "%s", kvm ? "host" : "max");
	vrun_arg(r, "-m");
	vrun_arg(r, "%lluM", (unsigned long long)r->ram_mib);
	vrun_arg(r, "-smp");
	vrun_arg(r, "1");
	vrun_arg(r, "-nodefaults");
	vrun_arg(r, "-no-user-config");
	vrun_arg(r, "-display");
	vrun_arg(r, "none");
	vrun_arg(r, "-no-reboot");
	vrun_arg(r, "-kernel");
	vrun_arg(r, "%s", r->image);
	vrun_arg(r, "-append");
	vrun_arg(r, "pith.debug_exit=0x%x %s", VRUN_DEBUG_EXIT, r->cmdline);
	qemu_ports(r, fds);
	vrun_arg(r, "-device");
	vrun_arg(r, "isa-debug-exit,iobase=0x%x,iosize=1", VRUN_DEBUG_EXIT);
	if (strcmp(r->machine, "q35") != 0) {
		vrun_arg(r, "-global");
		vrun_arg(r, "virtio-mmio.force-legacy=false");
	}
	qemu_devices(r, fds);
	if (fds)
		qemu_debug(r);
}

/* A shell word for S: as it is if plain, else in single quotes. */
static void shell_word(FILE *o, const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			    "WXYZ0123456789-_.,:/=@+%") == strlen(s)) {
		fputs(s, o);
		return;
	}
	fputc('\'', o);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", o);
		else
			fputc(*s, o);
	fputc('\'', o);
}

static void print_qemu(struct vrun *r, FILE *o)
{
	vrun_qemu_args(r, 0);
	for (unsigned i = 0; i < r->argc; i++) {
		shell_word(o, r->argv[i]);
		fputs(i + 1 < r->argc && r->argv[i + 1][0] == '-' ? " \\\n  "
		      : i + 1 < r->argc				  ? " "
								  : "\n",
		      o);
	}
}

/* JSON string contents: the command line and paths are printable. */
static void json_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			fprintf(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(o, "\\u%04x", *s);
		else
			fputc(*s, o);
	fputc('"', o);
}

static void print_firecracker(struct vrun *r, FILE *o)
{
	const struct pith_manifest *m = &r->img->manifest;
	char mac[18];
	const char *sep = "";

	fputs("{\n  \"boot-source\": {\n    \"kernel_image_path\": ", o);
	json_str(o, r->image);
	fputs(",\n    \"boot_args\": ", o);
	json_str(o, r->cmdline);
	fputs("\n  },\n  \"drives\": [", o);
	for (unsigned i = 0; i < m->count; i++)
		if (m->dev[i].type == PITH_DEV_BLOCK) {
			fprintf(o, "%s\n    { \"drive_id\": ", sep);
			json_str(o, m->dev[i].name);
			fputs(", \"path_on_host\": ", o);
			json_str(o, pith_options_find(&r->opt, m->dev[i].name)
					    ->path);
			fputs(", \"is_root_device\": false, "
			      "\"is_read_only\": false }",
			      o);
			sep = ",";
		}
	fputs("\n  ],\n  \"network-interfaces\": [", o);
	sep = "";
	for (unsigned i = 0; i < m->count; i++)
		if (m->dev[i].type == PITH_DEV_NET) {
			fprintf(o, "%s\n    { \"iface_id\": ", sep);
			json_str(o, m->dev[i].name);
			fputs(", \"host_dev_name\": ", o);
			json_str(o, pith_options_find(&r->opt, m->dev[i].name)
					    ->path);
			fprintf(o, ", \"guest_mac\": \"%s\" }",
				mac_text(r->mac[i], mac));
			sep = ",";
		}
	fprintf(o,
		"\n  ],\n  \"machine-config\": { \"vcpu_count\": 1, "
		"\"mem_size_mib\": %llu }\n}\n",
		(unsigned long long)r->ram_mib);
}

static void print_cloud_hypervisor(struct vrun *r, FILE *o)
{
	const struct pith_manifest *m = &r->img->manifest;
	char mac[18];

	fputs("cloud-hypervisor \\\n  --kernel ", o);
	shell_word(o, r->image);
	fputs(" \\\n  --cmdline ", o);
	shell_word(o, r->cmdline);
	fprintf(o,
		" \\\n  --cpus boot=1 --memory size=%lluM \\\n"
		"  --serial tty --console off",
		(unsigned long long)r->ram_mib);
	for (unsigned i = 0; i < m->count; i++) {
		const char *p =
			pith_options_find(&r->opt, m->dev[i].name)->path;
		char arg[4200];

		if (m->dev[i].type == PITH_DEV_BLOCK)
			snprintf(arg, sizeof arg, "path=%s", p);
		else
			snprintf(arg, sizeof arg, "tap=%s,mac=%s", p,
				 mac_text(r->mac[i], mac));
		fputs(m->dev[i].type == PITH_DEV_BLOCK ? " \\\n  --disk "
						       : " \\\n  --net ",
		      o);
		shell_word(o, arg);
	}
	fputc('\n', o);
}

int vrun_print(struct vrun *r)
{
	FILE *o = r->out ? fopen(r->out, "w") : stdout;

	if (!o) {
		perror(r->out);
		return PITH_TOOL_FAIL;
	}
	vrun_cmdline(r, 0);
	if (!strcmp(r->vmm, "qemu"))
		print_qemu(r, o);
	else if (!strcmp(r->vmm, "firecracker"))
		print_firecracker(r, o);
	else
		print_cloud_hypervisor(r, o);
	if (ferror(o) | (o != stdout && fclose(o))) {
		perror(r->out ? r->out : "stdout");
		return PITH_TOOL_FAIL;
	}
	return 0;
}
