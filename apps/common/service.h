/* What pith's network appliances share: the stack's options plus their
 * own, the line announcing the address, and a UDP port that answers
 * with the stack's counters ("name value" lines; "exit" also ends the
 * appliance after printing them). */
#ifndef APPS_SERVICE_H
#define APPS_SERVICE_H

#include <stddef.h>

/* An option of the appliance: "--NAME VALUE"; SET returns 0, or -1 when
 * VALUE is malformed. */
struct service_opt {
	const char *name;
	int (*set)(const char *value);
};

/* Parses ARGV (the stack's options, --stats-port N and OPTS), starts the
 * stack on the interface "service", and spawns the fibers that print
 * "APP: address A netmask M gateway G" once configured and serve the
 * stats port. 0, or -1 after printing why to stderr. */
int service_start(const char *app, int argc, char **argv,
		  const struct service_opt *opts, size_t nopts);

/* Adds FN's lines to every report (the appliance's own figures). */
void service_report_hook(size_t (*fn)(char *buf, size_t n));

/* Parses a decimal number 0..MAX into *V. 0, or -1. */
int service_number(const char *s, unsigned long long max,
		   unsigned long long *v);

/* Whether "exit" was received (core_run has returned because of it). */
int service_exiting(void);

/* Runs the loop; after an "exit" prints "APP: exit requested" and the
 * report. Returns main's status: 0, or 1 if the loop failed. */
int service_run(const char *app);

/* The report: the stack's counters and memory, then the hook's lines. */
size_t service_report(char *buf, size_t n);

#endif
