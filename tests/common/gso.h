/* A host's TCP segmentation offload, in software, for the test tools:
 * the fake device of the unit tests and the impairing forwarder cut the
 * TSO frames the stack writes (include/pith/platform.h, struct
 * pith_frame) into the segments a real host would put on the wire. */
#ifndef PITH_TEST_GSO_H
#define PITH_TEST_GSO_H

#include <stddef.h>
#include <stdint.h>

/* Largest segment gso_segment hands to its callback. */
#define GSO_SEG_MAX (9000 + 14)

/* Cuts frame F of LEN bytes (Ethernet, IPv4 without fragment fields,
 * TCP) into segments of GSO_SIZE payload bytes: each gets the headers,
 * its IP length, an IP identifier one above the last, both checksums, its
 * sequence number, and FIN and PSH only if it is the last. The frame's
 * TCP checksum field must hold the pseudo-header sum over its whole TCP
 * length, folded, not complemented (the contract's, and what the kernel
 * leaves in a frame whose checksum it has yet to compute). OUT gets each
 * segment (valid during the call). Returns the number of segments, or -1
 * when F is not such a frame or a segment would exceed MTU bytes of IP. */
int gso_segment(const uint8_t *f, size_t len, size_t gso_size, size_t mtu,
		void (*out)(void *ctx, const uint8_t *seg, size_t len),
		void *ctx);

/* Completes a checksum a host left partial: the 16-bit field at
 * START + OFFSET holds the pseudo-header sum, and the sum runs from START
 * to the end of F's LEN bytes. Offsets outside the frame: nothing done. */
void gso_csum_complete(uint8_t *f, size_t len, size_t start, size_t offset);

#endif
