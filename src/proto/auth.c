/* auth.c -- see auth.h. OpenSSL's HMAC over the header and body as one
 * message: the two pieces are copied side by side (programs are small, and
 * the copy is cheaper than an incremental MAC context per frame). */
#include "proto/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

int auth_key_load(const char *path, struct auth_key *k, struct err *e)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	k->len = 0;
	if (fd < 0)
		return err_set(e, "cannot open key file %s: %s", path, strerror(errno)), -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, "key file %s is not a regular file", path), -EINVAL;
	}
	if (st.st_mode & 077) {
		close(fd);
		return err_set(e, "key file %s is readable by others (mode %03o): chmod 600 it", path,
			       (unsigned)(st.st_mode & 0777)),
		       -EINVAL;
	}
	n = read(fd, k->bytes, sizeof k->bytes);
	if (n >= 0 && n == (ssize_t)sizeof k->bytes) {
		uint8_t extra;

		if (read(fd, &extra, 1) > 0)
			n = -2;
	}
	close(fd);
	if (n == -2 || (n >= 0 && (size_t)n < AUTH_KEY_MIN)) {
		memset(k->bytes, 0, sizeof k->bytes);
		return err_set(e, "key file %s must hold %d to %d bytes (e.g. head -c 32 /dev/urandom)",
			       path, AUTH_KEY_MIN, AUTH_KEY_MAX),
		       -EINVAL;
	}
	if (n < 0)
		return err_set(e, "cannot read key file %s: %s", path, strerror(errno)), -errno;
	k->len = (size_t)n;
	return 0;
}

void auth_tag(const struct auth_key *k, const uint8_t hdr[WIRE_HDR_LEN], const void *body,
	      size_t body_len, uint8_t tag[WIRE_TAG_LEN])
{
	uint8_t small[4096], *msg = small;
	size_t n = WIRE_HDR_LEN + body_len;
	unsigned int tag_len = WIRE_TAG_LEN;

	if (n > sizeof small)
		msg = xmalloc(n);
	memcpy(msg, hdr, WIRE_HDR_LEN);
	if (body_len)
		memcpy(msg + WIRE_HDR_LEN, body, body_len);
	HMAC(EVP_sha256(), k->bytes, (int)k->len, msg, n, tag, &tag_len);
	if (msg != small)
		free(msg);
}

bool auth_verify(const struct auth_key *k, const uint8_t hdr[WIRE_HDR_LEN], const void *body,
		 size_t body_len, const uint8_t tag[WIRE_TAG_LEN])
{
	uint8_t want[WIRE_TAG_LEN];

	auth_tag(k, hdr, body, body_len, want);
	return CRYPTO_memcmp(want, tag, WIRE_TAG_LEN) == 0;
}
