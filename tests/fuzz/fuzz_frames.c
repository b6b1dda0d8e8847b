// SPDX-License-Identifier: GPL-2.0
/* The program fuzzer's frames (tests/fuzz/fuzz_progs.h). */
#include "fuzz_progs.h"

#define MUTATIONS_MAX 4
/* Mutations hit the headers: MACs, up to two tags, the EtherType. */
#define HEADER_BYTES 22

__u64 fuzz_rng_state;
__u32 fuzz_rnd(void)
{
	/* xorshift64*: fast, and a printed seed replays a run. */
	fuzz_rng_state ^= fuzz_rng_state >> 12;
	fuzz_rng_state ^= fuzz_rng_state << 25;
	fuzz_rng_state ^= fuzz_rng_state >> 27;
	return (__u32)((fuzz_rng_state * 2685821657736338717ULL) >> 32);
}

/* A MAC for a frame: one of the topology's, a group address, or noise. */
static void pick_mac(__u8 *m)
{
	static const __u8 bcast[ETH_ALEN] = {0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff};
	static const __u8 mcast[ETH_ALEN] = {0x01, 0x00, 0x5e, 0, 0, 1};
	const __u8 *choice[] = {mac_a, mac_b, mac_c, mac_x, bcast, mcast};
	__u32 r = fuzz_rnd() % (sizeof(choice) / sizeof(choice[0]) + 2);

	if (r < sizeof(choice) / sizeof(choice[0])) {
		memcpy(m, choice[r], ETH_ALEN);
		return;
	}
	for (int i = 0; i < ETH_ALEN; i++)
		m[i] = (__u8)fuzz_rnd();
}

static __u16 pick_vid(void)
{
	static const __u16 vids[] = {0, VID_A, VID_C, 300, 4095};
	__u32 r = fuzz_rnd() % (sizeof(vids) / sizeof(vids[0]) + 1);

	return r < sizeof(vids) / sizeof(vids[0]) ? vids[r]
						  : (__u16)(fuzz_rnd() & 0xfff);
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* A frame: MACs, zero to two tags, an EtherType, payload; then a few
 * header bytes flipped and maybe a cut.  Returns its length. */
unsigned int make_frame(__u8 *f)
{
	unsigned int len = 2 * ETH_ALEN, ntags = fuzz_rnd() % 3, cut;

	pick_mac(f);
	pick_mac(f + ETH_ALEN);
	for (unsigned int i = 0; i < ntags; i++) {
		put16(f + len, (fuzz_rnd() % 4) ? ETH_P_8021Q : ETH_P_8021AD);
		put16(f + len + 2,
		      (__u16)((fuzz_rnd() % 8) << 13) | pick_vid());
		len += 4;
	}
	put16(f + len, (fuzz_rnd() % 2) ? ETH_P_IP : (__u16)fuzz_rnd());
	len += 2;
	for (unsigned int i = len; i < FUZZ_FRAME_MAX; i++)
		f[i] = (__u8)i;
	len = ETH_ZLEN + fuzz_rnd() % (FUZZ_FRAME_MAX - ETH_ZLEN);
	for (unsigned int i = fuzz_rnd() % (MUTATIONS_MAX + 1); i; i--)
		f[fuzz_rnd() % HEADER_BYTES] ^= (__u8)(1u << (fuzz_rnd() % 8));
	/* One in eight is cut short, often inside the headers. */
	if (fuzz_rnd() % 8 == 0) {
		cut = fuzz_rnd() % (HEADER_BYTES + 4);
		if (cut < len)
			len = cut;
	}
	return len;
}
