/* cu_kern_air: the quotient's constraint evaluation as kernel bodies, in the
 * style of cu_kern.h (compiled by nvcc into cu_kernels.cu's k_quot and by the
 * C compiler into the CPU emulation of cu_backend.c).
 *
 * The constraints are not rewritten here: the bodies the host instantiates
 * over ext_t and bb_t (stark/air_body.inc for Fibonacci and add256,
 * trace/trace_air_body.inc for the cpu, memory, storage, meminit and stoinit
 * tables,
 * trace/keccak_air_body.inc for the Keccak-f[1600] table,
 * trace/arith_air_body.inc for the 256-bit arithmetic table,
 * trace/sha256_air_body.inc for the SHA-256 compression table,
 * trace/blake2f_air_body.inc for the BLAKE2F table,
 * trace/ripemd160_air_body.inc for the RIPEMD-160 compression table and
 * trace/fp381_air_body.inc for the BLS12-381 base-field products) are
 * instantiated a third time over Montgomery words with cu_k_add / cu_k_sub /
 * cu_k_mul, folding into a 4-word accumulator exactly as
 * stark_assert_zero_base does (acc += alpha^(m-1-i) c_i, constraint order,
 * count past m not folded). Under nvcc the bodies' functions become
 * __host__ __device__ (their `static` is widened for the include only).
 *
 * Constant tables. The keccak, arith, sha256, blake2f and ripemd160 bodies
 * read small tables (round constants, rho's rotations; carry widths, the
 * kinds' links; SHA-256's K; BLAKE2b's IV, SIGMA and the G words;
 * RIPEMD-160's message order r, rotations s and constants K, and the step
 * functions' coefficients) that are defined as initialisers (by the bodies'
 * first inclusion; r, s and K by hash/ripemd160.h). From those initialisers
 * this file makes a host copy (the emulation, and nvcc's host pass) and,
 * under nvcc, a __constant__ copy; CU_K_TAB picks the one of the pass being
 * compiled, so the kernel never reads host memory and the tables have one
 * source. Every index into them depends on loop counters only (the same in
 * every thread of a warp: constant-cache broadcasts, or folded where the
 * loop is unrolled).
 *
 * Per-thread state. The bodies read the two rows in place (global memory)
 * and alpha's powers from the constants buffer (global memory, m ext values:
 * 3182 for keccak, 3322 for arith, 1030 for sha256, 7390 for blake2f, 1365
 * for ripemd160); their own local arrays are the keccak body's D (320
 * words), the arith body's limb sums (383 words), the blake2f body's row
 * limbs of H, M, V and one G's d1 and b1 (288 words, and the state's 16
 * column offsets) and the ripemd160 body's round selectors (5 words) and,
 * per line, its message and rotation selectors and f's coefficients (16 + 16
 * + 8 words), the fp381 body's byte limbs of its five words and of p (288
 * words, and p's 48 bytes); the sha256 body makes its derived bits where it recomposes
 * them and keeps no array.
 * Nothing copies a row.
 *
 * One thread per point j of the quotient domain s * <w_{n qc}>, as
 * stark.c's quot_range: local row r = j * stride of the LDE (stride =
 * B / qc), next row (r + B) mod N, x = s w_{n qc}^j,
 *   is_first_row = Z_H(x) / (x - 1), is_last_row = Z_H(x) / (x - g^-1),
 *   is_transition = x - g^-1,        Z_H(x) = zh[j mod qc],
 * and out[j] = acc * zh_inv[j mod qc] (4 words). The one inversion per point
 * (of (x - 1)(x - g^-1)) replaces the host's batch inversions. Field
 * arithmetic is exact and every word canonical, so the result is the host's
 * word for word. The AIR is a parameter of cu_k_quot_point so that the
 * device compiles one kernel per AIR (cu_kernels.cu): a small AIR's kernel
 * does not carry the register and local-memory needs of the wide ones.
 */
#ifndef PKB_CUDA_CU_KERN_AIR_H
#define PKB_CUDA_CU_KERN_AIR_H

#include <stdint.h>

#include "cuda/cu_kern.h"
#include "stark/air.h"
#include "trace/arith_air.h"
#include "trace/blake2f_air.h"
#include "trace/fp381_air.h"
#include "trace/keccak_air.h"
#include "trace/ripemd160_air.h"
#include "trace/sha256_air.h"
#include "trace/trace_cols.h"

/* The AIRs with a quotient kernel: id, the host AIR's name, width, public
 * values, constraint count (the body's own), and the body's instance below.
 * cu_backend.c binds a host AIR to its kernel by name and shape
 * (cu_air_kernel). */
#define CU_AIR_LIST(X)                                                                             \
  X(FIB, "fibonacci", STARK_FIB_WIDTH, STARK_FIB_PUBLIC, FIB_CONSTRAINTS, cu_k_fib_eval)           \
  X(ADD256, "add256", STARK_ADD256_WIDTH, 0, ADD256_CONSTRAINTS, cu_k_add256_eval)                 \
  X(CPU, "pkb-cpu", CPU_WIDTH, CPU_PUBLIC, CPU_CONSTRAINTS, cu_k_cpu_eval)                                  \
  X(MEMORY, "pkb-memory", MEM_WIDTH, 0, MEM_CONSTRAINTS, cu_k_mem_eval)                            \
  X(STORAGE, "pkb-storage", STO_WIDTH, 0, STO_CONSTRAINTS, cu_k_sto_eval)                          \
  X(MEMINIT, "pkb-meminit", MI_WIDTH, 0, MEMINIT_CONSTRAINTS, cu_k_meminit_eval)                   \
  X(STOINIT, "pkb-stoinit", SI_WIDTH, 0, STOINIT_CONSTRAINTS, cu_k_stoinit_eval)                   \
  X(KECCAK, "pkb-keccak", KECCAK_AIR_WIDTH, 0, KECCAK_AIR_CONSTRAINTS, cu_k_keccak_eval)           \
  X(ARITH, "pkb-arith256", ARITH_AIR_WIDTH, 0, AA_NUM_CONSTRAINTS, cu_k_arith_eval)                \
  X(SHA256, "pkb-sha256", SHA256_AIR_WIDTH, 0, SHA256_AIR_CONSTRAINTS, cu_k_sha256_eval)           \
  X(BLAKE2F, "pkb-blake2f", BLAKE2F_AIR_WIDTH, 0, BLAKE2F_AIR_CONSTRAINTS, cu_k_blake2f_eval)      \
  X(RIPEMD160, "pkb-ripemd160", RIPEMD160_AIR_WIDTH, 0, RIPEMD160_AIR_CONSTRAINTS,                 \
    cu_k_ripemd160_eval)                                                                           \
  X(FP381, "pkb-fp381", FP381_AIR_WIDTH, 0, FP381_AIR_CONSTRAINTS, cu_k_fp381_eval)

enum {
  CU_AIR_NONE = 0, /* no kernel */
#define CU_AIR_ENUM(id, name, width, num_public, m, fn) CU_AIR_##id,
  CU_AIR_LIST(CU_AIR_ENUM)
#undef CU_AIR_ENUM
  CU_AIR_COUNT
};

/* The largest qc the kernel takes (stark.c's bound: qc <= blowup). */
#define CU_QUOT_MAX_QC 64

/* The frame the bodies read (FRAME): the fields they name, plus the folder. */
typedef struct {
  const uint32_t *local, *next, *pub;
  uint32_t is_first_row, is_last_row, is_transition;
  const uint32_t *alpha_pows; /* m ext values, 4 words each: alpha^(m-1-i) */
  uint32_t acc[EXT_DEGREE];
  uint32_t count, max;
} cu_k_frame;

CU_HD void cu_k_assert(cu_k_frame *e, uint32_t c) {
  if (e->count < e->max) {
    const uint32_t *a = e->alpha_pows + EXT_DEGREE * e->count;
    for (int k = 0; k < EXT_DEGREE; k++) e->acc[k] = cu_k_add(e->acc[k], cu_k_mul(a[k], c));
  }
  e->count++;
}

CU_HD uint32_t cu_k_inv(uint32_t a) { return cu_k_pow(a, BB_P - 2u); }

/* Arithmetic xor of two bits, a + b - 2ab (the keccak body's XOR). */
CU_HD uint32_t cu_k_xor(uint32_t a, uint32_t b) {
  uint32_t ab = cu_k_mul(a, b);
  return cu_k_sub(cu_k_add(a, b), cu_k_add(ab, ab));
}

/* A 16-bit limb from its bits bits[0..15] (the blake2f body's LIMB). */
CU_HD uint32_t cu_k_b2_limb(const uint32_t *bits) {
  uint32_t acc = bits[BLAKE2F_AIR_LIMB_BITS - 1];
  for (int z = BLAKE2F_AIR_LIMB_BITS - 2; z >= 0; z--) acc = cu_k_add(cu_k_add(acc, acc), bits[z]);
  return acc;
}

/* ---- the bodies' constant tables (see the top) ---- */
#include "trace/arith_air_body.inc"
#include "trace/blake2f_air_body.inc"
#include "trace/keccak_air_body.inc"
#include "trace/ripemd160_air_body.inc"
#include "trace/sha256_air_body.inc"

#define CU_K_TABLES(X)                                                              \
  X(uint64_t, cu_k_ka_rc, [KECCAK_AIR_ROWS_PER_PERM], KECCAK_AIR_RC_INIT)            \
  X(unsigned char, cu_k_ka_rho, [25], KECCAK_AIR_RHO_INIT)                           \
  X(unsigned char, cu_k_aa_carry_bits, [ARITH_AIR_NCARRIES], AA_CARRY_BITS_INIT)     \
  X(aa_link, cu_k_aa_cont, [AA_NCONT], {AA_CONT_LINKS(AA_LINK_INIT)})                \
  X(aa_link, cu_k_aa_succ, [AA_NSUCC], {AA_SUCC_LINKS(AA_LINK_INIT)})                \
  X(uint32_t, cu_k_sa_k, [SA_NR], SHA256_AIR_K_INIT)                                 \
  X(uint64_t, cu_k_b2_iv, [8], BLAKE2F_AIR_IV_INIT)                                  \
  X(unsigned char, cu_k_b2_sigma, [B2_NS][16], BLAKE2F_AIR_SIGMA_INIT)               \
  X(unsigned char, cu_k_b2_gw, [8][4], BLAKE2F_AIR_GW_INIT)                          \
  X(uint8_t, cu_k_ra_r, [2][RIPEMD160_STEPS], RIPEMD160_R_INIT)                      \
  X(uint8_t, cu_k_ra_s, [2][RIPEMD160_STEPS], RIPEMD160_S_INIT)                      \
  X(uint32_t, cu_k_ra_k, [2][5], RIPEMD160_K_INIT)                                   \
  X(signed char, cu_k_ra_fcoef, [5][8], RA_F_COEF_INIT)

#define CU_K_TABLE_HOST(type, name, dims, init) static const type name##_h dims = init;
CU_K_TABLES(CU_K_TABLE_HOST)
#undef CU_K_TABLE_HOST
#ifdef __CUDACC__
#define CU_K_TABLE_DEV(type, name, dims, init) static __constant__ const type name##_d dims = init;
CU_K_TABLES(CU_K_TABLE_DEV)
#undef CU_K_TABLE_DEV
#endif
#ifdef __CUDA_ARCH__
#define CU_K_TAB(name) name##_d
#else
#define CU_K_TAB(name) name##_h
#endif

/* ---- the third instance of the constraint bodies ---- */
#define FT uint32_t
#define FRAME cu_k_frame
#define SUFFIX(x) cu_k_##x
#define ADD cu_k_add
#define SUB cu_k_sub
#define MUL cu_k_mul
#define K(c) cu_k_mul((uint32_t)(c), BB_MONTY_R2)
#define BASE(v) (v)
#define ASSERT cu_k_assert
#define XOR cu_k_xor
#define KA_RC(r) CU_K_TAB(cu_k_ka_rc)[r]
#define KA_RHO(lane) CU_K_TAB(cu_k_ka_rho)[lane]
#define AA_CARRY_BITS CU_K_TAB(cu_k_aa_carry_bits)
#define AA_CONT CU_K_TAB(cu_k_aa_cont)
#define AA_SUCC CU_K_TAB(cu_k_aa_succ)
#define SA_K(r) CU_K_TAB(cu_k_sa_k)[r]
#define B2_IV(i) CU_K_TAB(cu_k_b2_iv)[i]
#define B2_SIGMA(s, i) CU_K_TAB(cu_k_b2_sigma)[s][i]
#define B2_GW(g, i) CU_K_TAB(cu_k_b2_gw)[g][i]
#define LIMB cu_k_b2_limb
#define RA_R(L, j) CU_K_TAB(cu_k_ra_r)[L][j]
#define RA_S(L, j) CU_K_TAB(cu_k_ra_s)[L][j]
#define RA_KC(L, q) CU_K_TAB(cu_k_ra_k)[L][q]
#define RA_FIDX(L, q) RIPEMD160_F_INDEX(L, q)
#define RA_FCOEF(f, m) CU_K_TAB(cu_k_ra_fcoef)[f][m]
#ifdef __CUDACC__
#define static static __host__ __device__ __forceinline__
#endif
#include "trace/trace_air_body.inc"
#include "stark/air_body.inc"
#define NAME cu_k_keccak_eval
#include "trace/keccak_air_body.inc"
#undef NAME
#define NAME cu_k_arith_eval
#include "trace/arith_air_body.inc"
#undef NAME
#define NAME cu_k_sha256_eval
#include "trace/sha256_air_body.inc"
#undef NAME
#define NAME cu_k_blake2f_eval
#include "trace/blake2f_air_body.inc"
#undef NAME
#define NAME cu_k_ripemd160_eval
#include "trace/ripemd160_air_body.inc"
#undef NAME
#define NAME cu_k_fp381_eval
#include "trace/fp381_air_body.inc"
#undef NAME
#ifdef __CUDACC__
#undef static
#endif
#undef FT
#undef FRAME
#undef SUFFIX
#undef ADD
#undef SUB
#undef MUL
#undef K
#undef BASE
#undef ASSERT
#undef XOR
#undef KA_RC
#undef KA_RHO
#undef AA_CARRY_BITS
#undef AA_CONT
#undef AA_SUCC
#undef SA_K
#undef B2_IV
#undef B2_SIGMA
#undef B2_GW
#undef LIMB
#undef RA_R
#undef RA_S
#undef RA_KC
#undef RA_FIDX
#undef RA_FCOEF

/* The quotient domain and its selectors, shared by the AIR's kernel and the
 * lookup's (cu_backend.c's qdom_init fills it). */
typedef struct {
  const uint32_t *tw;     /* root table of the 2^27-order root */
  uint32_t log_nq, qc;    /* nq = 2^log_nq = n qc */
  uint32_t s, ginv;       /* coset shift; g^-1, g = w_n */
  uint64_t N, stride, next_off, nq;
  uint32_t zh[CU_QUOT_MAX_QC], zh_inv[CU_QUOT_MAX_QC];
} cu_k_qdom;

/* Point j: its local and next LDE rows, the three selectors and 1 / Z_H. */
typedef struct {
  uint64_t r, rn;
  uint32_t first, last, trans, zh_inv;
} cu_k_qpt;

CU_HD void cu_k_qdom_point(const cu_k_qdom *d, uint64_t j, cu_k_qpt *p) {
  const uint32_t k = (uint32_t)(j & (d->qc - 1));
  const uint32_t x = cu_k_mul(d->s, cu_k_pow_lookup(d->tw, (uint32_t)j << (27u - d->log_nq)));
  const uint32_t d1 = cu_k_sub(x, BB_ONE), d2 = cu_k_sub(x, d->ginv);
  const uint32_t inv = cu_k_inv(cu_k_mul(d1, d2));
  p->r = j * d->stride;
  p->rn = (p->r + d->next_off) & (d->N - 1);
  p->first = cu_k_mul(d->zh[k], cu_k_mul(d2, inv));
  p->last = cu_k_mul(d->zh[k], cu_k_mul(d1, inv));
  p->trans = d2;
  p->zh_inv = d->zh_inv[k];
}

typedef struct {
  const uint32_t *lde;    /* N x width words, natural order on s * <w_N> */
  const uint32_t *consts; /* alpha_pows (4 m words), then the num_public values */
  uint32_t *out;          /* nq x 4 words */
  uint32_t air;           /* CU_AIR_*: which kernel (cu_k_quot_point's air) */
  uint32_t width, m;
  cu_k_qdom d;
} cu_k_quot;

/* Point j of the quotient of AIR air (CU_AIR_*; a->air is ignored). */
CU_HD void cu_k_quot_point(const cu_k_quot *a, uint32_t air, uint64_t j) {
  cu_k_qpt p;
  cu_k_qdom_point(&a->d, j, &p);
  cu_k_frame e;
  e.local = a->lde + p.r * a->width;
  e.next = a->lde + p.rn * a->width;
  e.pub = a->consts + EXT_DEGREE * a->m;
  e.is_first_row = p.first;
  e.is_last_row = p.last;
  e.is_transition = p.trans;
  e.alpha_pows = a->consts;
  for (int q = 0; q < EXT_DEGREE; q++) e.acc[q] = 0;
  e.count = 0;
  e.max = a->m;
  switch (air) {
#define CU_AIR_CASE(id, name, width, num_public, m, fn) \
  case CU_AIR_##id: fn(NULL, &e); break;
  CU_AIR_LIST(CU_AIR_CASE)
#undef CU_AIR_CASE
  default: break;
  }
  for (int q = 0; q < EXT_DEGREE; q++) a->out[EXT_DEGREE * j + q] = cu_k_mul(e.acc[q], p.zh_inv);
}

/* ---- the lookup argument's constraints (stark.c's lookup_constraints) -------
 * Added to a quotient the AIR's kernel has written: at point j (selectors
 * and Z_H as cu_k_quot_point), out[j] += zh_inv (sum_i apow_i L_i) over the
 * c + 3 lookup constraints L_i, apow_i their folding weights (stark.c: the
 * AIR's constraints come first and take the larger powers of alpha).
 * The k interactions are a flat program of words, in order (Montgomery
 * form for field values), each
 *   bus, send (1 send, 0 receive), the multiplicity's linear combination,
 *   f, then the f fields' linear combinations,
 * a linear combination being n, its constant, then n (column, coefficient)
 * pairs. Group j (interactions jg .. min(k, (j+1)g) - 1) folds as it goes:
 * P = prod d_i and N = sum_i sm_i prod_{l != i} d_l by P' = P d, N' = N d + sm P,
 * so the group constraint h_j P - N equals the host's prefix-suffix form. */
typedef struct {
  const uint32_t *lde, *alde; /* N x width, N x aw words */
  const uint32_t *prog;       /* the interactions (above) */
  const uint32_t *consts;     /* apow (4 (c + 3) words), then gamma^1 .. gamma^32 (4 x 32) */
  uint32_t *out;              /* nq x 4 words, added to */
  uint32_t width, aw, k, g;
  uint32_t beta[EXT_DEGREE], cumsum[EXT_DEGREE];
  cu_k_qdom d;
} cu_k_lkq;

/* A linear combination at row, from the program at *pc (advanced past it). */
CU_HD uint32_t cu_k_lc(const uint32_t *prog, uint32_t *pc, const uint32_t *row) {
  uint32_t n = prog[*pc], v = prog[*pc + 1];
  *pc += 2;
  for (uint32_t t = 0; t < n; t++, *pc += 2) v = cu_k_add(v, cu_k_mul(prog[*pc + 1], row[prog[*pc]]));
  return v;
}

/* acc += apow * c (ext values). */
CU_HD void cu_k_fold_ext(uint32_t *acc, const uint32_t *apow, const uint32_t *c) {
  uint32_t t[EXT_DEGREE];
  cu_k_ext_mul(apow, c, t);
  for (int q = 0; q < EXT_DEGREE; q++) acc[q] = cu_k_add(acc[q], t[q]);
}

/* Interactions lo .. hi - 1 of the program (from *pc, advanced past them) on
 * row: P = prod d_i and Nm = sum_i sm_i prod_{l != i} d_l, with d_i = beta -
 * fp_i and sm_i the signed multiplicity, so that the group's sum
 * sum_i sm_i / d_i is Nm / P. */
CU_HD void cu_k_group_fold(const uint32_t *prog, uint32_t *pc, const uint32_t *row, const uint32_t *beta,
                           const uint32_t *gpow, uint32_t lo, uint32_t hi, uint32_t *P, uint32_t *Nm) {
  uint32_t t[EXT_DEGREE];
  P[0] = BB_ONE;
  P[1] = P[2] = P[3] = 0;
  Nm[0] = Nm[1] = Nm[2] = Nm[3] = 0;
  for (uint32_t i = lo; i < hi; i++) {
    const uint32_t bus = prog[*pc], send = prog[*pc + 1];
    *pc += 2;
    const uint32_t m = cu_k_lc(prog, pc, row), sm = send ? m : cu_k_sub(0, m);
    const uint32_t f = prog[(*pc)++];
    uint32_t den[EXT_DEGREE] = {cu_k_sub(beta[0], bus), beta[1], beta[2], beta[3]};
    for (uint32_t fi = 0; fi < f; fi++) {
      const uint32_t v = cu_k_lc(prog, pc, row);
      for (int q = 0; q < EXT_DEGREE; q++) den[q] = cu_k_sub(den[q], cu_k_mul(gpow[EXT_DEGREE * fi + (uint32_t)q], v));
    }
    cu_k_ext_mul(Nm, den, t);
    for (int q = 0; q < EXT_DEGREE; q++) Nm[q] = cu_k_add(t[q], cu_k_mul(P[q], sm));
    cu_k_ext_mul(P, den, t);
    for (int q = 0; q < EXT_DEGREE; q++) P[q] = t[q];
  }
}

CU_HD void cu_k_lkq_point(const cu_k_lkq *a, uint64_t j) {
  cu_k_qpt p;
  cu_k_qdom_point(&a->d, j, &p);
  const uint32_t *loc = a->lde + p.r * a->width;
  const uint32_t *al = a->alde + p.r * a->aw, *an = a->alde + p.rn * a->aw;
  const uint32_t *gpow = a->consts + EXT_DEGREE * ((a->k + a->g - 1) / a->g + 3u);
  uint32_t acc[EXT_DEGREE] = {0, 0, 0, 0}, hs[EXT_DEGREE] = {0, 0, 0, 0}, hns[EXT_DEGREE] = {0, 0, 0, 0};
  uint32_t pc = 0, c = 0;
  for (uint32_t lo = 0; lo < a->k; lo += a->g, c++) {
    uint32_t P[EXT_DEGREE], Nm[EXT_DEGREE], t[EXT_DEGREE];
    cu_k_group_fold(a->prog, &pc, loc, a->beta, gpow, lo, lo + a->g < a->k ? lo + a->g : a->k, P, Nm);
    const uint32_t *h = al + EXT_DEGREE * c;
    uint32_t con[EXT_DEGREE];
    cu_k_ext_mul(h, P, t);
    for (int q = 0; q < EXT_DEGREE; q++) {
      con[q] = cu_k_sub(t[q], Nm[q]);
      hs[q] = cu_k_add(hs[q], h[q]);
      hns[q] = cu_k_add(hns[q], an[EXT_DEGREE * c + (uint32_t)q]);
    }
    cu_k_fold_ext(acc, a->consts + EXT_DEGREE * c, con);
  }
  const uint32_t *S = al + EXT_DEGREE * c, *Sn = an + EXT_DEGREE * c;
  uint32_t con[EXT_DEGREE];
  for (int q = 0; q < EXT_DEGREE; q++) con[q] = cu_k_mul(p.first, cu_k_sub(S[q], hs[q]));
  cu_k_fold_ext(acc, a->consts + EXT_DEGREE * c, con);
  for (int q = 0; q < EXT_DEGREE; q++) con[q] = cu_k_mul(p.trans, cu_k_sub(cu_k_sub(Sn[q], S[q]), hns[q]));
  cu_k_fold_ext(acc, a->consts + EXT_DEGREE * (c + 1u), con);
  for (int q = 0; q < EXT_DEGREE; q++) con[q] = cu_k_mul(p.last, cu_k_sub(S[q], a->cumsum[q]));
  cu_k_fold_ext(acc, a->consts + EXT_DEGREE * (c + 2u), con);
  uint32_t *o = a->out + EXT_DEGREE * j;
  for (int q = 0; q < EXT_DEGREE; q++) o[q] = cu_k_add(o[q], cu_k_mul(acc[q], p.zh_inv));
}

/* ---- the lookup's aux trace (stark.c's aux_build) ----------------------------
 * Three steps over the n trace rows: cu_k_aux_row writes row r's c group
 * columns h_j = Nm / P (cu_k_group_fold; one inversion per group, the same
 * value as the host's sum of inverses) and sets *zero when some P is zero
 * (a fingerprint equal to beta); cu_k_aux_sum adds chunk c's rows' h values
 * into part[4c]; the host turns part into exclusive prefix sums; then
 * cu_k_aux_scan writes the running sum S of chunk c's rows from part[4c]. */
typedef struct {
  const uint32_t *trace; /* n x width words */
  const uint32_t *prog;  /* the interactions (cu_k_lkq's program) */
  const uint32_t *gpow;  /* gamma^1 .. gamma^32 */
  uint32_t *aux;         /* n x aw words */
  uint32_t *part;        /* nchunks x 4 words */
  uint32_t *zero;        /* one word, set to 1 on a zero denominator */
  uint32_t width, aw, k, g;
  uint32_t beta[EXT_DEGREE];
  uint64_t n, rows_per, nchunks;
} cu_k_aux;

CU_HD void cu_k_aux_row(const cu_k_aux *a, uint64_t r) {
  const uint32_t *row = a->trace + r * a->width;
  uint32_t *out = a->aux + r * a->aw;
  uint32_t pc = 0, c = 0;
  for (uint32_t lo = 0; lo < a->k; lo += a->g, c++) {
    uint32_t P[EXT_DEGREE], Nm[EXT_DEGREE], inv[EXT_DEGREE];
    cu_k_group_fold(a->prog, &pc, row, a->beta, a->gpow, lo, lo + a->g < a->k ? lo + a->g : a->k, P, Nm);
    if ((P[0] | P[1] | P[2] | P[3]) == 0) *a->zero = 1u;
    cu_k_ext_inv(P, inv);
    cu_k_ext_mul(Nm, inv, out + EXT_DEGREE * c);
  }
}

/* The sum of row r's group columns. */
CU_HD void cu_k_aux_hsum(const cu_k_aux *a, uint64_t r, uint32_t *v) {
  const uint32_t cols = a->aw / EXT_DEGREE - 1u, *h = a->aux + r * a->aw;
  for (uint32_t j = 0; j < cols; j++)
    for (int q = 0; q < EXT_DEGREE; q++) v[q] = cu_k_add(v[q], h[EXT_DEGREE * j + (uint32_t)q]);
}

CU_HD void cu_k_aux_sum(const cu_k_aux *a, uint64_t c) {
  uint32_t v[EXT_DEGREE] = {0, 0, 0, 0};
  for (uint64_t r = c * a->rows_per; r < (c + 1) * a->rows_per; r++) cu_k_aux_hsum(a, r, v);
  for (int q = 0; q < EXT_DEGREE; q++) a->part[EXT_DEGREE * c + (uint32_t)q] = v[q];
}

CU_HD void cu_k_aux_scan(const cu_k_aux *a, uint64_t c) {
  uint32_t v[EXT_DEGREE];
  const uint32_t cols = a->aw / EXT_DEGREE - 1u;
  for (int q = 0; q < EXT_DEGREE; q++) v[q] = a->part[EXT_DEGREE * c + (uint32_t)q];
  for (uint64_t r = c * a->rows_per; r < (c + 1) * a->rows_per; r++) {
    cu_k_aux_hsum(a, r, v);
    for (int q = 0; q < EXT_DEGREE; q++) a->aux[r * a->aw + EXT_DEGREE * cols + (uint32_t)q] = v[q];
  }
}

#endif
