/* front_udp.c -- see worker_int.h: one request per datagram. */
#include "node/worker_int.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "proto/frame.h"
#include "util/log.h"

/* Padding of UDP replies: sent by reference, never copied. */
static const uint8_t udp_zeros[SOCK_UDP_MAX_PAYLOAD];

/* -- front end: UDP -- */

/* One reply datagram: header, text, zero padding up to frame_size. A reply
 * that would not fit in a datagram, or (without authentication or
 * --udp-amplify) would be larger than its request, becomes an error reply
 * saying so, itself cut to the request's size: a forged source address must
 * not make the node an amplifier. */
void front_udp_send(struct worker *w, const struct engine_origin *o, uint16_t status,
		    uint64_t id, const char *text, uint32_t text_len, uint64_t frame_size)
{
	const struct auth_key *key = &w->cfg->auth;
	uint32_t tag_len = frame_tag_len(key);
	char msg[200];
	uint64_t len = (uint64_t)WIRE_HDR_LEN + text_len + tag_len;
	uint64_t cap = o->authenticated || w->cfg->udp_amplify ? SOCK_UDP_MAX_PAYLOAD
							       : o->frame_len;

	if (frame_size > len)
		len = frame_size;
	if (len > cap && status != WIRE_OK) {
		/* An error text longer than its request: cut it. */
		text_len = cap > (uint64_t)WIRE_HDR_LEN + tag_len
				   ? (uint32_t)(cap - WIRE_HDR_LEN - tag_len) : 0;
		len = WIRE_HDR_LEN + text_len + tag_len;
	}
	if (len > cap) {
		bool amplify = cap < SOCK_UDP_MAX_PAYLOAD;
		int n = amplify ? snprintf(msg, sizeof msg,
					   "node %s: reply of %llu bytes is larger than its %llu-byte "
					   "request (UDP without --auth-key-file; see --udp-amplify)",
					   w->self, (unsigned long long)len, (unsigned long long)cap)
				: snprintf(msg, sizeof msg,
					   "node %s: reply of %llu bytes exceeds UDP's %d-byte "
					   "datagram limit", w->self, (unsigned long long)len,
					   SOCK_UDP_MAX_PAYLOAD);
		if (amplify)
			w->st.udp_amplification_refused++;
		text_len = n < 0 ? 0 : (uint32_t)n < sizeof msg ? (uint32_t)n : sizeof msg - 1;
		if ((uint64_t)WIRE_HDR_LEN + text_len + tag_len > cap)
			text_len = cap > (uint64_t)WIRE_HDR_LEN + tag_len
					   ? (uint32_t)(cap - WIRE_HDR_LEN - tag_len) : 0;
		text = msg;
		if (status == WIRE_OK) { /* counted as a reply by the caller */
			counter_add(&w->st.replies, (uint64_t)-1);
			counter_inc(&w->st.error_replies);
		}
		status = WIRE_ERR_LIMIT;
		len = WIRE_HDR_LEN + text_len + tag_len;
	}
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REPLY, .status = status,
			      .id = id, .prog_len = text_len, .len = (uint32_t)len };
	uint8_t hdr[WIRE_HDR_LEN], tag[WIRE_TAG_LEN];
	struct iovec iov[4] = { { hdr, sizeof hdr }, { (void *)text, text_len }, { tag, tag_len },
				{ (void *)udp_zeros, len - WIRE_HDR_LEN - text_len - tag_len } };
	struct msghdr m = { .msg_name = (void *)&o->peer, .msg_namelen = o->peer_len,
			    .msg_iov = iov, .msg_iovlen = 4 };

	frame_write_head(key, &h, text, hdr, tag);
	while (sendmsg(((const struct listener *)o->conn)->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		if (errno == EINTR)
			continue;
		w->st.udp_send_drops++; /* socket buffer full or peer unreachable: UDP's loss */
		return;
	}
}

void front_udp_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		     const char *text, uint32_t text_len, uint64_t size)
{
	struct worker *w = ctx;

	if (status == WIRE_OK)
		counter_inc(&w->st.replies);
	else
		counter_inc(&w->st.error_replies);
	front_udp_send(w, o, status, req_id, text, text_len, status == WIRE_OK ? size : 0);
}

/* Every datagram is one whole request frame; anything else is dropped and
 * counted (there is no connection to close). */
void front_udp_readable(struct worker *w, struct listener *u)
{
	const struct frame_reader rd = { .lim = &w->cfg->limits, .key = &w->cfg->auth,
					 .type = WIRE_REQUEST };

	for (int i = 0; i < UDP_BATCH; i++) {
		struct engine_origin o = { .front = &w->front_udp, .conn = u };
		struct frame f;
		struct err e;
		ssize_t n;
		int rc; /* enum frame_result, or err_set()'s negative value */

		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(uint32_t))];
		} ctl;
		struct iovec iov = { w->scratch, SCRATCH_LEN };
		struct msghdr m = { .msg_name = &o.peer, .msg_namelen = sizeof o.peer, .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = ctl.buf,
				    .msg_controllen = sizeof ctl.buf };
		uint32_t dropped;

		n = recvmsg(u->fd, &m, MSG_DONTWAIT | MSG_TRUNC);
		o.peer_len = m.msg_namelen;
		/* Overload: datagrams the kernel dropped before we could read them
		 * (a running count per socket). */
		if (n >= 0 && sock_udp_drops(&m, &dropped) && dropped != u->rx_dropped) {
			w->st.udp_rx_drops += (uint32_t)(dropped - u->rx_dropped);
			u->rx_dropped = dropped;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_msg("UDP receive failed: %s", errstr(-errno));
			return;
		}
		w->st.bytes_in += (uint64_t)n;
		if (n > SCRATCH_LEN)
			rc = err_set(&e, "datagram of %zd bytes is larger than UDP allows", n);
		else
			rc = frame_read_datagram(&rd, w->scratch, (size_t)n, &f, &e);
		if (rc == FRAME_ERR_AUTH) {
			/* Dropped without an answer: a reply to a forged source
			 * address would make the node an amplifier. */
			w->st.auth_failures++;
			continue;
		}
		if (rc == FRAME_OK) {
			o.frame_len = (uint64_t)n;
			o.authenticated = w->cfg->auth.len > 0;
			front_start_request(w, NULL, &o, &f.h, f.body);
			continue;
		}
		char a[SOCK_ADDR_STRLEN];

		w->st.malformed++;
		log_msg("UDP datagram from %s dropped: %s",
			sock_addr_str((struct sockaddr *)&o.peer, a, sizeof a), e.msg);
	}
}

