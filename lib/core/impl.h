/* lib/core internals shared by fiber.c, timer.c and loop.c. */
#ifndef CORE_IMPL_H
#define CORE_IMPL_H

#include "pith/core.h"

struct core_fiber {
	void *sp; /* saved stack pointer while not running */
	void (*fn)(void *);
	void *arg;
	unsigned char *mem; /* allocation: canary region, then the stack */
	size_t size;	    /* usable stack bytes above the canary */
	struct core_fiber *run_next;		  /* run queue link */
	struct core_fiber *wait_next, *wait_prev; /* wait queue links */
	struct core_waitq *waiting;		  /* queue parked on, or NULL */
	struct core_timer timeout;		  /* wait deadline */
	int timed_out;
	int done;
	char name[CORE_FIBER_NAME_MAX + 1];
};

/* Saves the current context in *SAVE and resumes NEXT (switch.S). */
void core_switch(void **save, void *next);
void core_fiber_trampoline(void);
_Noreturn void core_fiber_main(struct core_fiber *f);

/* The loop's side of fibers (fiber.c). */
extern struct core_fiber *core_current;
extern struct core_stats core_loop_stats;

/* Runs the fibers that are ready now, each once; returns how many ran. */
unsigned core_run_ready(void);

/* Whether any fiber is ready to run. */
int core_any_ready(void);

/* Aborts if F's stack overflowed (see core.h). */
void core_check_fiber(struct core_fiber *f);

#endif
