/* afrelay: the audio "air" between Dire Wolf instances in the interop tests.
 *
 * Dire Wolf runs headless there: its transmit audio goes through ALSA's
 * `file` plugin (slave `null`) into a FIFO, and it listens for receive
 * audio on `ADEVICE UDP:PORT`, which takes datagrams of raw signed 16-bit
 * little-endian samples at the configured ARATE, mono here.  This program
 * carries one to the other:
 *
 *   afrelay relay RATE NOISE SEED FIFO,NETNS,PORT ...
 *       Each argument is one station: the FIFO its Dire Wolf transmits
 *       into, and the UDP port (on 127.0.0.1 in network namespace NETNS,
 *       "-" for ours) where its Dire Wolf listens.  Every station hears
 *       the sum of the others' transmissions (not its own: half duplex)
 *       plus Gaussian-like noise of RMS about NOISE, in real time, with
 *       noise alone between transmissions: Dire Wolf's input is a
 *       continuous stream, like a receiver's audio with the squelch open.
 *       Runs until SIGTERM/SIGINT; prints one line per transmission heard
 *       on a FIFO (station, start, length) on stdout.
 *
 *   afrelay play RATE NOISE SEED WAVFILE NETNS PORT
 *       Plays a 16-bit mono WAV file (e.g. from Dire Wolf's gen_packets)
 *       to one station, in real time, between a second of noise before
 *       and after, then exits.
 *
 * Why real time: Dire Wolf's UDP input has no flow control; a burst of
 * audio faster than it demodulates is lost in the socket buffer.  Why a
 * jitter buffer: the file plugin hands a transmission over in bursts (the
 * whole frame at once with the null slave, which does not pace), and a
 * gap of silence inserted in the middle of a frame would destroy it; so a
 * transmission starts playing only once PREBUFFER of it (or all of it,
 * when it stops arriving) is buffered, and plays to its end.
 *
 * Sockets in another namespace: a socket belongs to the namespace it was
 * created in, so each station's socket is made after setns() into its
 * namespace; nothing is sent outside the namespaces. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_STATIONS 8
#define TICK_MS 10
#define PREBUFFER_MS 300  /* buffered before a transmission starts playing */
#define STALL_MS 150      /* or less, when nothing more came for this long */
#define RING_SAMPLES (1u << 22) /* 95 s at 44100: longer than any frame burst */

struct station {
	const char *fifo, *netns;
	int in;       /* the FIFO, read side (-1: play mode) */
	int out;      /* UDP socket, connected to the station's input */
	int16_t *ring;
	size_t head, len; /* ring contents */
	uint8_t odd[1];   /* a sample split across two reads */
	bool has_odd;
	bool playing;
	uint64_t last_in_ms;
	uint64_t tx_start_ms, tx_samples, tx_count;
};

static volatile sig_atomic_t stop;
static uint64_t rng_state;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible noise for a given seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* Sum of four uniforms: close enough to Gaussian for a noise floor, and
 * with RMS "rms" (each uniform on [-a, a] has variance a^2/3). */
static double noise(double rms)
{
	double s = 0;
	for (int i = 0; i < 4; i++)
		s += (double)rnd() / 4294967295.0 * 2.0 - 1.0;
	return s * rms * sqrt(3.0) / 2.0;
}

static int die(const char *what)
{
	perror(what);
	exit(1);
}

/* A UDP socket connected to 127.0.0.1:port in namespace netns ("-": ours). */
static int udp_to(const char *netns, unsigned port)
{
	int self = -1;
	if (strcmp(netns, "-") != 0) {
		char path[512];
		snprintf(path, sizeof path, "/var/run/netns/%s", netns);
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		int target = open(path, O_RDONLY | O_CLOEXEC);
		if (self < 0 || target < 0)
			die(path);
		if (setns(target, CLONE_NEWNET) != 0)
			die("setns");
		close(target);
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&a, sizeof a) != 0)
		die("connect");
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET) != 0)
			die("setns back");
		close(self);
	}
	return s;
}

static void ring_put(struct station *st, const int16_t *s, size_t n)
{
	for (size_t i = 0; i < n && st->len < RING_SAMPLES; i++) {
		st->ring[(st->head + st->len) % RING_SAMPLES] = s[i];
		st->len++;
	}
}

/* Drains what the FIFO holds into the ring (the writer may block on a
 * full pipe meanwhile: that only delays it). */
static void drain(struct station *st, uint64_t now)
{
	uint8_t buf[65536];
	for (;;) {
		ssize_t r = read(st->in, buf + 1, sizeof buf - 1);
		if (r <= 0) {
			if (r < 0 && errno != EAGAIN && errno != EINTR)
				die(st->fifo);
			return;
		}
		/* 16-bit little-endian samples, possibly split across reads. */
		uint8_t *p = buf + 1;
		size_t n = (size_t)r;
		if (st->has_odd) {
			p--;
			p[0] = st->odd[0];
			n++;
			st->has_odd = false;
		}
		int16_t s[32768];
		size_t ns = n / 2;
		for (size_t i = 0; i < ns; i++)
			s[i] = (int16_t)(uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
		if (n % 2) {
			st->odd[0] = p[n - 1];
			st->has_odd = true;
		}
		ring_put(st, s, ns);
		st->last_in_ms = now;
	}
}

/* The next n samples station st puts on the air (0 when silent). */
static void take(struct station *st, size_t idx, int32_t *acc_self, size_t n, unsigned rate,
		 uint64_t now, uint64_t t0)
{
	if (!st->playing && st->len > 0 &&
	    (st->len >= (size_t)rate * PREBUFFER_MS / 1000 || now - st->last_in_ms >= STALL_MS)) {
		st->playing = true;
		st->tx_start_ms = now;
		st->tx_samples = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (st->playing && st->len > 0) {
			acc_self[i] = st->ring[st->head];
			st->head = (st->head + 1) % RING_SAMPLES;
			st->len--;
			st->tx_samples++;
		} else {
			acc_self[i] = 0;
		}
	}
	if (st->playing && st->len == 0) {
		st->playing = false;
		st->tx_count++;
		printf("station %zu: %.2f s of audio from %.1f s\n", idx + 1,
		       (double)st->tx_samples / rate, (double)(st->tx_start_ms - t0) / 1000.0);
		fflush(stdout);
	}
}

static void send_samples(int sock, const int32_t *mix, size_t n)
{
	uint8_t buf[2 * 4096];
	for (size_t i = 0; i < n; i++) {
		int32_t v = mix[i];
		v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
		buf[2 * i] = (uint8_t)(v & 0xff);
		buf[2 * i + 1] = (uint8_t)((uint16_t)v >> 8);
	}
	/* A full socket buffer at the receiver drops audio, as a real
	 * overloaded sound card would: not an error here. */
	(void)send(sock, buf, 2 * n, MSG_DONTWAIT);
}

static void sleep_until(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop)
		;
}

/* The main loop, shared by both modes: every tick, each station is sent
 * the samples the clock says are due since the start, so that the rate
 * does not drift with scheduling delays. */
static void run(struct station *st, size_t nst, unsigned rate, double rms, bool hear_self,
		uint64_t end_after_idle)
{
	uint64_t t0 = now_ms();
	uint64_t sent = 0;
	static int32_t self[MAX_STATIONS][4096], mix[4096];
	uint64_t idle_since = t0;
	while (!stop) {
		uint64_t now = now_ms();
		uint64_t due = (now - t0) * rate / 1000 - sent;
		while (due > 0) {
			size_t n = due > 4096 ? 4096 : (size_t)due;
			for (size_t i = 0; i < nst; i++) {
				if (st[i].in >= 0)
					drain(&st[i], now);
				take(&st[i], i, self[i], n, rate, now, t0);
			}
			for (size_t j = 0; j < nst; j++) {
				for (size_t k = 0; k < n; k++) {
					double v = noise(rms);
					for (size_t i = 0; i < nst; i++)
						if (i != j || hear_self)
							v += self[i][k];
					mix[k] = (int32_t)lround(v);
				}
				send_samples(st[j].out, mix, n);
			}
			sent += n;
			due -= n;
		}
		bool busy = false;
		for (size_t i = 0; i < nst; i++)
			busy |= st[i].playing || st[i].len > 0;
		if (busy)
			idle_since = now;
		if (end_after_idle && now - idle_since >= end_after_idle)
			break;
		sleep_until(now + TICK_MS);
	}
	fflush(stdout);
}

static int usage(void)
{
	fprintf(stderr, "usage: afrelay relay RATE NOISE SEED FIFO,NETNS,PORT...\n"
			"       afrelay play RATE NOISE SEED WAVFILE NETNS PORT\n");
	return 2;
}

static unsigned number(const char *s, unsigned max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "afrelay: bad number %s\n", s);
		exit(2);
	}
	return (unsigned)v;
}

/* Loads a WAV file's samples after one second of silence.  Only what
 * gen_packets writes is accepted: PCM, 16-bit, mono, at RATE. */
static void load_wav(struct station *st, const char *path, unsigned rate)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die(path);
	uint8_t h[12];
	if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0) {
		fprintf(stderr, "afrelay: %s is not a WAV file\n", path);
		exit(1);
	}
	int16_t zero[1] = { 0 };
	for (unsigned i = 0; i < rate; i++)
		ring_put(st, zero, 1);
	bool fmt_ok = false;
	uint8_t c[8];
	while (fread(c, 1, 8, f) == 8) {
		uint32_t len = (uint32_t)c[4] | (uint32_t)c[5] << 8 | (uint32_t)c[6] << 16 |
			       (uint32_t)c[7] << 24;
		if (memcmp(c, "fmt ", 4) == 0 && len >= 16) {
			uint8_t fm[16];
			if (fread(fm, 1, 16, f) != 16)
				break;
			unsigned fmt = fm[0] | fm[1] << 8, ch = fm[2] | fm[3] << 8;
			unsigned sr = (unsigned)(fm[4] | fm[5] << 8 | fm[6] << 16 | (unsigned)fm[7] << 24);
			unsigned bits = fm[14] | fm[15] << 8;
			fmt_ok = fmt == 1 && ch == 1 && sr == rate && bits == 16;
			fseek(f, (long)(len - 16 + (len & 1)), SEEK_CUR);
		} else if (memcmp(c, "data", 4) == 0 && fmt_ok) {
			uint8_t b[2];
			for (uint32_t i = 0; i + 1 < len && fread(b, 1, 2, f) == 2; i += 2) {
				int16_t s = (int16_t)(uint16_t)(b[0] | b[1] << 8);
				ring_put(st, &s, 1);
			}
			fclose(f);
			return;
		} else {
			fseek(f, (long)(len + (len & 1)), SEEK_CUR);
		}
	}
	fprintf(stderr, "afrelay: %s: no 16-bit mono PCM at %u Hz\n", path, rate);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 6)
		return usage();
	unsigned rate = number(argv[2], 192000);
	double rms = number(argv[3], 10000);
	rng_state = number(argv[4], 0xffffffffu) * 2654435761u + 1;
	static struct station st[MAX_STATIONS];
	size_t nst = 0;

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (strcmp(argv[1], "play") == 0) {
		if (argc != 8)
			return usage();
		st[0].in = -1;
		st[0].ring = calloc(RING_SAMPLES, sizeof(int16_t));
		if (!st[0].ring)
			die("calloc");
		load_wav(&st[0], argv[5], rate);
		st[0].out = udp_to(argv[6], number(argv[7], 65535));
		nst = 1;
		/* Its own ring is what it hears; a second of noise after it. */
		run(st, nst, rate, rms, true, 1000);
		return 0;
	}
	if (strcmp(argv[1], "relay") != 0)
		return usage();
	for (int i = 5; i < argc; i++) {
		if (nst == MAX_STATIONS)
			return usage();
		char *spec = argv[i];
		char *c1 = strchr(spec, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (!c2)
			return usage();
		*c1 = *c2 = '\0';
		struct station *s = &st[nst++];
		s->fifo = spec;
		s->netns = c1 + 1;
		/* Read and write: the FIFO never reports end of file while Dire
		 * Wolf is not writing (or not started yet), and opening never
		 * blocks. */
		s->in = open(spec, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (s->in < 0)
			die(spec);
		s->ring = calloc(RING_SAMPLES, sizeof(int16_t));
		if (!s->ring)
			die("calloc");
		s->out = udp_to(s->netns, number(c2 + 1, 65535));
	}
	printf("ready: %zu stations at %u Hz\n", nst, rate);
	fflush(stdout);
	run(st, nst, rate, rms, false, 0);
	for (size_t i = 0; i < nst; i++)
		printf("station %zu: %llu transmissions\n", i + 1, (unsigned long long)st[i].tx_count);
	return 0;
}
