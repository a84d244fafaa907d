/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time, seed and random numbers shared by the bounded, seeded xns tests
 * (stress, fuzz, lifetime): XNS_STRESS_SECONDS sets how long each test
 * works, XNS_SEED replays a run.
 */
#ifndef XNS_STRESS_H
#define XNS_STRESS_H

#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

#define DEFAULT_SECONDS		5.0

static inline __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline __u64 splitmix64(__u64 *state)
{
	__u64 z;

	*state += 0x9e3779b97f4a7c15ULL;
	z = *state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline double stress_seconds(void)
{
	const char *env = getenv("XNS_STRESS_SECONDS");
	char *end;
	double val;

	if (!env || !*env)
		return DEFAULT_SECONDS;
	val = strtod(env, &end);
	if (*end || !(val > 0) || val > 3600)
		return DEFAULT_SECONDS;
	return val;
}

static inline __u64 stress_seed(void)
{
	const char *env = getenv("XNS_SEED");
	struct timespec ts;

	if (env && *env)
		return strtoull(env, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((__u64)ts.tv_sec << 20) ^ ts.tv_nsec ^ ((__u64)getpid() << 40);
}

#endif /* XNS_STRESS_H */
