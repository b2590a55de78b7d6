#include "src/sys/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

static int cur_level;
static bool to_syslog;

void log_init(int level, bool use_syslog)
{
	cur_level = level;
	to_syslog = use_syslog;
	if (use_syslog)
		openlog("mailled", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int log_level(void)
{
	return cur_level;
}

bool log_enabled(int level)
{
	return level <= cur_level;
}

static int syslog_prio(int level)
{
	switch (level) {
	case LOG_L_ERROR: return LOG_ERR;
	case LOG_L_WARN: return LOG_WARNING;
	case LOG_L_NOTICE: return LOG_NOTICE;
	case LOG_L_INFO: return LOG_INFO;
	default: return LOG_DEBUG;
	}
}

/* A va_list-taking printf: the attribute lets the compiler check callers'
 * formats through log_msg and log_limited. */
__attribute__((format(printf, 2, 0)))
static void vlog(int level, const char *fmt, va_list ap)
{
	if (to_syslog) {
		vsyslog(syslog_prio(level), fmt, ap);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	localtime_r(&ts.tv_sec, &tm);
	const char *tag = level == LOG_L_ERROR ? "error: " : level == LOG_L_WARN ? "warning: " : "";
	fprintf(stderr, "%02d:%02d:%02d.%03ld mailled: %s", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(int level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

bool log_ratelimit_allow(struct log_ratelimit *rl, uint64_t now_ms)
{
	if (rl->interval_ms && now_ms > rl->last_ms) {
		uint64_t refill = (now_ms - rl->last_ms) / rl->interval_ms;
		if (refill) {
			uint64_t t = rl->tokens + refill;
			rl->tokens = t > rl->burst ? rl->burst : (uint32_t)t;
			rl->last_ms += refill * rl->interval_ms;
		}
	}
	/* Only a clock going backwards moves the reference back: resetting
	 * it on every call while it is 0 (a clock that starts at 0) would
	 * never let a token come back. */
	if (rl->last_ms > now_ms)
		rl->last_ms = now_ms;
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	return true;
}

void log_limited(struct log_ratelimit *rl, uint64_t now_ms, int level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	if (!log_ratelimit_allow(rl, now_ms))
		return;
	if (rl->suppressed) {
		log_msg(level, "(%llu similar lines suppressed)", (unsigned long long)rl->suppressed);
		rl->suppressed = 0;
	}
	va_list ap;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void log_set_level(int level)
{
	cur_level = level;
}
