/* The TNC connection (tnc.h says what it promises). */
#include "src/sys/tnc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "src/sys/log.h"

#define NEVER UINT64_MAX
#define POLL_MS 20      /* a pending connect or leftover output */
#define READ_ROUNDS 16  /* bytes read per wakeup: at most 16 x 4 KiB */
#define STABLE_MS 10000 /* up this long: the next outage starts from 1 s again */

void tnc_init(struct tnc *t, const char *ifname, const struct conf_kiss *spec,
	      const struct tnc_params *params, const struct tnc_ops *ops, void *ctx)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", ifname);
	t->spec = *spec;
	conf_kiss_format(spec, t->desc, sizeof(t->desc));
	t->params = *params;
	t->ops = ops;
	t->ctx = ctx;
	t->fd = -1;
	t->state = TNC_DOWN;
	t->retry_at = 0; /* at once */
	t->backoff_ms = TNC_BACKOFF_MIN_MS;
}

bool tnc_is_up(const struct tnc *t)
{
	return t->state == TNC_UP;
}

static void drop_fd(struct tnc *t)
{
	if (t->fd >= 0) {
		t->ops->watch(t->ctx, -1);
		close(t->fd);
	}
	t->fd = -1;
	t->out_len = 0;
}

/* The connection failed or was lost: log once, report, schedule a retry. */
static void fail(struct tnc *t, uint64_t now, const char *what, int err)
{
	bool was_up = t->state == TNC_UP;
	drop_fd(t);
	t->state = TNC_DOWN;
	t->st.failures++;
	if (was_up && now - t->up_since >= STABLE_MS)
		t->backoff_ms = TNC_BACKOFF_MIN_MS;
	if (!t->complained) {
		log_warn("%s: TNC %s %s%s%s; the link is down, retrying with backoff (up to %u s)",
			 t->name, t->desc, what, err ? ": " : "", err ? strerror(err) : "",
			 TNC_BACKOFF_MAX_MS / 1000);
		t->complained = true;
	} else {
		log_debug("%s: TNC %s %s%s%s; next try in %u ms", t->name, t->desc, what,
			  err ? ": " : "", err ? strerror(err) : "", t->backoff_ms);
	}
	t->retry_at = now + t->backoff_ms;
	t->backoff_ms = t->backoff_ms * 2 > TNC_BACKOFF_MAX_MS ? TNC_BACKOFF_MAX_MS
							   : t->backoff_ms * 2;
	if (was_up)
		t->ops->state(t->ctx, false, now);
}

static int put(struct tnc *t, const uint8_t *buf, size_t len, uint64_t now);

static void send_param(struct tnc *t, enum kiss_cmd cmd, uint8_t v, uint64_t now)
{
	uint8_t buf[8];
	size_t n = kiss_encode_param(buf, sizeof(buf), 0, cmd, v);
	if (n && n <= sizeof(buf))
		put(t, buf, n, now);
}

static void became_up(struct tnc *t, uint64_t now)
{
	t->state = TNC_UP;
	t->up_since = now;
	t->st.connects++;
	kiss_decoder_init(&t->dec, 0);
	if (t->complained)
		log_notice("%s: TNC %s is back", t->name, t->desc);
	else
		log_notice("%s: TNC %s connected", t->name, t->desc);
	t->complained = false;
	t->ops->watch(t->ctx, t->fd);
	send_param(t, KISS_CMD_TXDELAY, t->params.txdelay, now);
	send_param(t, KISS_CMD_P, t->params.persist, now);
	send_param(t, KISS_CMD_SLOTTIME, t->params.slottime, now);
	send_param(t, KISS_CMD_TXTAIL, t->params.txtail, now);
	if (t->state == TNC_UP)
		t->ops->state(t->ctx, true, now);
}

static speed_t speed_const(uint32_t s)
{
	switch (s) {
	case 300: return B300;
	case 1200: return B1200;
	case 2400: return B2400;
	case 4800: return B4800;
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	case 460800: return B460800;
	case 921600: return B921600;
	default: return B0;
	}
}

static void open_serial(struct tnc *t, uint64_t now)
{
	int fd = open(t->spec.path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fail(t, now, "cannot be opened", errno);
		return;
	}
	struct termios tio;
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tio.c_cflag |= CLOCAL | CREAD;
		tio.c_cflag &= (tcflag_t)~CRTSCTS;
		tio.c_cc[VMIN] = 0;
		tio.c_cc[VTIME] = 0;
		speed_t sp = speed_const(t->spec.speed);
		if (sp != B0) {
			cfsetispeed(&tio, sp);
			cfsetospeed(&tio, sp);
		}
		if (tcsetattr(fd, TCSANOW, &tio) < 0) {
			int e = errno;
			close(fd);
			fail(t, now, "cannot be set up", e);
			return;
		}
		tcflush(fd, TCIOFLUSH);
	} /* not a tty (a FIFO in a test): use it as it is */
	t->fd = fd;
	became_up(t, now);
}

static void open_tcp(struct tnc *t, uint64_t now)
{
	char port[8];
	snprintf(port, sizeof(port), "%u", t->spec.port);
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	/* A host name costs a blocking lookup at each try: addresses are
	 * better (a TNC is nearly always on localhost or the LAN). */
	int gr = getaddrinfo(t->spec.host, port, &hints, &res);
	if (gr != 0 || !res) {
		if (!t->complained)
			log_warn("%s: TNC host %s: %s", t->name, t->spec.host, gai_strerror(gr));
		fail(t, now, "has no address", 0);
		return;
	}
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;
		freeaddrinfo(res);
		fail(t, now, "needs a socket", e);
		return;
	}
	int r = connect(fd, res->ai_addr, res->ai_addrlen);
	int e = errno;
	freeaddrinfo(res);
	t->fd = fd;
	if (r == 0) {
		became_up(t, now);
		return;
	}
	if (e == EINPROGRESS) {
		t->state = TNC_CONNECTING;
		t->connect_deadline = now + TNC_CONNECT_TIMEOUT_MS;
		return;
	}
	fail(t, now, "refused the connection", e);
}

static void check_connect(struct tnc *t, uint64_t now)
{
	struct pollfd p = {t->fd, POLLOUT, 0};
	if (poll(&p, 1, 0) <= 0) {
		if (now >= t->connect_deadline)
			fail(t, now, "did not answer", ETIMEDOUT);
		return;
	}
	int err = 0;
	socklen_t el = sizeof(err);
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err) {
		fail(t, now, "refused the connection", err);
		return;
	}
	became_up(t, now);
}

static void flush_out(struct tnc *t, uint64_t now)
{
	while (t->out_len) {
		ssize_t w = write(t->fd, t->out, t->out_len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			fail(t, now, "write failed", errno);
			return;
		}
		t->st.bytes_out += (uint64_t)w;
		memmove(t->out, t->out + w, t->out_len - (size_t)w);
		t->out_len -= (size_t)w;
	}
}

/* Queues bytes for the TNC and writes what the fd takes now.  Whole KISS
 * frames only: one that does not fit is dropped (never a partial frame). */
static int put(struct tnc *t, const uint8_t *buf, size_t len, uint64_t now)
{
	if (t->state != TNC_UP)
		return -1;
	if (len > sizeof(t->out) - t->out_len) {
		t->st.out_dropped++;
		return -1;
	}
	memcpy(t->out + t->out_len, buf, len);
	t->out_len += len;
	flush_out(t, now);
	return t->state == TNC_UP ? 0 : -1;
}

int tnc_send_frame(struct tnc *t, const uint8_t *frame, size_t len, uint64_t now_ms)
{
	uint8_t buf[2 * (AX25_HEADER_MAX + KISS_INFO_MAX) + 4];
	size_t n = kiss_encode(buf, sizeof(buf), 0, KISS_CMD_DATA, frame, len);
	if (!n || n > sizeof(buf))
		return -1;
	return put(t, buf, n, now_ms);
}

int tnc_send_txbuf_query(struct tnc *t, uint64_t now_ms)
{
	uint8_t buf[32];
	size_t n = kiss_encode_txbuf_query(buf, sizeof(buf), 0);
	if (!n || n > sizeof(buf))
		return -1;
	return put(t, buf, n, now_ms);
}

struct feed_ctx {
	struct tnc *t;
	uint64_t now;
};

static void on_frame(void *arg, const struct kiss_frame *f)
{
	struct feed_ctx *c = arg;
	if (c->t->state != TNC_UP)
		return; /* lost while delivering the previous frame */
	c->t->st.frames_in++;
	c->t->ops->frame(c->t->ctx, f, c->now);
}

void tnc_read(struct tnc *t, uint64_t now_ms)
{
	if (t->state == TNC_CONNECTING) {
		check_connect(t, now_ms);
		return;
	}
	if (t->state != TNC_UP)
		return;
	uint8_t buf[4096];
	struct feed_ctx c = {t, now_ms};
	for (int i = 0; i < READ_ROUNDS && t->state == TNC_UP; i++) {
		ssize_t r = read(t->fd, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			fail(t, now_ms, "read failed", errno);
			return;
		}
		if (r == 0) {
			fail(t, now_ms, "closed the connection", 0);
			return;
		}
		t->st.bytes_in += (uint64_t)r;
		kiss_decoder_feed(&t->dec, buf, (size_t)r, on_frame, &c);
	}
}

uint64_t tnc_run(struct tnc *t, uint64_t now_ms)
{
	switch (t->state) {
	case TNC_DOWN:
		if (now_ms < t->retry_at)
			return t->retry_at;
		if (t->spec.kind == CONF_KISS_SERIAL)
			open_serial(t, now_ms);
		else
			open_tcp(t, now_ms);
		break;
	case TNC_CONNECTING:
		check_connect(t, now_ms);
		break;
	case TNC_UP:
		flush_out(t, now_ms);
		break;
	}
	if (t->state == TNC_DOWN)
		return t->retry_at;
	if (t->state == TNC_CONNECTING || t->out_len)
		return now_ms + POLL_MS;
	return NEVER;
}

void tnc_close(struct tnc *t)
{
	drop_fd(t);
	t->state = TNC_DOWN;
}
