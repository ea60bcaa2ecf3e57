/* auth.h -- optional shared-secret authentication of frames (--auth-key-file).
 *
 * Contract: with a key loaded, a sender sets WIRE_FLAG_AUTH in the header and
 * puts auth_tag() right after the program (or error text): HMAC-SHA256 over
 * the 24 header bytes as sent (flags, len, id and status included) and the
 * prog_len bytes after them. Padding is not covered: it is zeros (or storage
 * bytes) that no receiver interprets. A receiver with a key accepts a frame
 * only when auth_verify() says its tag is right (compared in constant time).
 * What this gives: nobody without the key can make a node work, forward, or
 * answer a client, nor alter a program or a reply status on the way. What it
 * does not: confidentiality (nothing secret travels), or protection against
 * replaying a captured frame (docs/security.md).
 * Keys: the raw bytes of a file, 16 to 1024 of them (e.g. `head -c 32
 * /dev/urandom > key`); a file readable by group or others is refused.
 * Threads: the functions are reentrant; a loaded key is read-only.
 * Errors: auth_key_load() returns -errno / -EINVAL with e filled. */
#ifndef MW_PROTO_AUTH_H
#define MW_PROTO_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"
#include "util/err.h"

#define AUTH_KEY_MIN 16
#define AUTH_KEY_MAX 1024

struct auth_key {
	uint8_t bytes[AUTH_KEY_MAX];
	size_t len; /* 0: no key, authentication off */
};

int auth_key_load(const char *path, struct auth_key *k, struct err *e);

/* hdr: the 24 encoded header bytes (with WIRE_FLAG_AUTH set), body: the
 * prog_len bytes after it. */
void auth_tag(const struct auth_key *k, const uint8_t hdr[WIRE_HDR_LEN], const void *body,
	      size_t body_len, uint8_t tag[WIRE_TAG_LEN]);
bool auth_verify(const struct auth_key *k, const uint8_t hdr[WIRE_HDR_LEN], const void *body,
		 size_t body_len, const uint8_t tag[WIRE_TAG_LEN]);

#endif
