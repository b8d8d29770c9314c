/* SPDX-License-Identifier: GPL-2.0 */
/* log2 helpers for latency histograms (after libbpf-tools' bits.bpf.h). */
#ifndef VSVA_BITS_BPF_H
#define VSVA_BITS_BPF_H

static __always_inline __u64 vsva_log2(__u32 v)
{
	__u32 shift, r;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u64 vsva_log2l(__u64 v)
{
	__u32 hi = v >> 32;

	if (hi)
		return vsva_log2(hi) + 32;
	return vsva_log2(v);
}

/*
 * Slot for a value, clamped to the last slot so the index is always valid.
 * @nslots must be a power of two.  The clamp alone is not enough for every
 * verifier: clang may bound a copy of the register and index with the
 * original (Linux 6.1 then refuses "R4 unbounded memory access").  The mask
 * after barrier_var() lands on the very register that indexes, and
 * barrier_var() keeps clang from dropping the mask as redundant.
 */
static __always_inline __u64 vsva_slot(__u64 v, __u32 nslots)
{
	__u64 s = vsva_log2l(v);

	if (s >= nslots)
		s = nslots - 1;
	barrier_var(s);
	return s & (nslots - 1);
}

#endif /* VSVA_BITS_BPF_H */
