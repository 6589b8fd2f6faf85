/* The suites of build/tests/unit: the libraries, the platform's shared
 * code, and the gdb protocol of pith run (tools/pith/rsp.c). */
#include "unit.h"

extern const struct unit_suite suite_fmt, suite_manifest, suite_size,
	suite_options, suite_match, suite_symbols, suite_crash, suite_names,
	suite_mem, suite_io, suite_time, suite_syscall;
extern const struct unit_suite suite_timer, suite_fiber, suite_netparse,
	suite_netstack, suite_arp, suite_reass, suite_tcpfsm, suite_tcpparts,
	suite_tcptimers, suite_rsp, suite_tso_header;
extern const struct unit_suite suite_fs, suite_http_requests, suite_http_engine;

const struct unit_suite *const unit_suites[] = {
	&suite_fmt,	    &suite_manifest,   &suite_size,
	&suite_options,	    &suite_match,      &suite_symbols,
	&suite_crash,	    &suite_names,      &suite_mem,
	&suite_io,	    &suite_time,       &suite_syscall,
	&suite_timer,	    &suite_fiber,      &suite_netparse,
	&suite_netstack,    &suite_arp,	       &suite_reass,
	&suite_tcpfsm,	    &suite_tcpparts,   &suite_tcptimers,
	&suite_rsp,	    &suite_fs,	       &suite_http_requests,
	&suite_http_engine, &suite_tso_header,
};
const size_t unit_nsuites = sizeof unit_suites / sizeof unit_suites[0];
