/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/prog_cost: what each vfwd program costs per frame, from non-live
 * BPF_PROG_TEST_RUN, net of a stub program measured the same way.
 * prog_cost.c runs the rounds and reports; prog_cost_env.c holds the
 * programs, their tables and the cases.
 */
#ifndef VFWD_PROG_COST_H
#define VFWD_PROG_COST_H

#include <stdbool.h>
#include <linux/types.h>

/* How one measurement is taken.
 *  REPEAT  one test run of `repeat` iterations on the same buffer: the
 *          kernel does not restore the frame between iterations, so only
 *          programs that leave the frame (and its metadata) as they found
 *          it can be measured this way;
 *  SINGLE  many test runs of one iteration each, the kernel's duration of
 *          each summed: every run gets a fresh copy of the frame, which
 *          is what a program that pops or pushes a tag, or adds metadata,
 *          needs.  Its numbers include more cache and branch-predictor
 *          warm-up than REPEAT's, so they are compared only with each
 *          other (the group says which mode a result is). */
enum pc_mode {
	PC_REPEAT,
	PC_SINGLE,
	PC_NMODES,
};

/* The baseline each case is measured against (bench/stub.bpf.c). */
enum pc_stub {
	PC_STUB_XDP_PASS,
	PC_STUB_XDP_REDIRECT,
	PC_STUB_TC_OK,
	PC_NSTUBS,
};

/* MAC table sizes each case is measured at. */
#define PC_NSIZES 3
extern const __u32 pc_sizes[PC_NSIZES];

extern const char *const pc_stub_names[PC_NSTUBS];
extern const char *const pc_mode_groups[PC_NMODES];

/* What the report needs to know about a case. */
struct pc_case_info {
	const char *name; /* "vfwd_uplink/hit" */
	const char *vlan; /* "none", "trunk" or "access" */
	enum pc_mode mode;
	enum pc_stub stub;
};

struct pc_env;

/* The programs with private maps, one MAC table per size in pc_sizes,
 * steering to steer_cpu (-1: no other CPU, the steered case is skipped),
 * and the stubs.  Returns 0 or -errno with a message printed. */
int pc_env_open(struct pc_env **env, int steer_cpu);
void pc_env_close(struct pc_env *env);

int pc_ncases(void);
const struct pc_case_info *pc_case(int c);
/* Whether case c can run here (the steered one needs a second CPU). */
bool pc_case_runs(const struct pc_env *env, int c);

/* Entries in size class s's table while case c runs: pc_sizes[s], or
 * more when the case itself needs more entries than that. */
__u32 pc_case_macs(int c, int s);

/* One measurement of case c at size class s, in ns per frame; the
 * program's answer is checked against what the case expects.  calls is
 * the number of test runs in SINGLE mode. */
int pc_run_case(struct pc_env *env, int c, int s, __u32 repeat, __u32 calls,
		double *ns);
/* The same for a stub, on a frame like the cases'. */
int pc_run_stub(struct pc_env *env, enum pc_stub stub, enum pc_mode mode,
		__u32 repeat, __u32 calls, double *ns);

#endif /* VFWD_PROG_COST_H */
