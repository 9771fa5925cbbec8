/* bench_precompiles: cost of each precompile built into this binary
 * (`pkbench bench precompiles`).
 *
 * One figure per implemented precompile (variant = its name): median_ms is the
 * wall time of one call (median over repetitions of the mean of a batch of
 * calls, after one untimed warm-up), per_s is gas per second in millions
 * (rate_unit "mgas") at the gas the Osaka schedule charges for that call, and
 * size is the input length in bytes. Inputs are fixed and realistic:
 *   ecrecover  a valid signature (EIP-155's example), 128 bytes
 *   sha256, ripemd160, identity  1024 bytes
 *   modexp     2048-bit base and modulus, exponent 0x10001 (an RSA verify;
 *              EIP-2565's nagydani_3_pow0x10001)
 *   blake2f    12 rounds (one BLAKE2b compression, EIP-152's vector 5)
 * Precompiles that answer EVM_PC_UNSUPPORTED are not measured.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "pc_vectors.h"
#include "evm/precompiles/precompile.h"

#define BP_MAX_REPS 9
#define BP_FORK BLK_FORK_OSAKA

static int bp_hex(const char *hex, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int v = 0;
    for (int k = 0; k < 2; k++) {
      char c = hex[2 * i + (size_t)k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    out[i] = (uint8_t)v;
  }
  return 0;
}

static uint64_t bp_seed_next(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Known-good inputs of the curve precompiles (harness/pc_vectors.h). */
static const struct {
  evm_pc_id id;
  const char *hex;
} bp_curve_inputs[] = {
    {EVM_PC_BN_ADD, PCV_BN_ADD},         {EVM_PC_BN_MUL, PCV_BN_MUL},
    {EVM_PC_BN_PAIRING, PCV_BN_PAIRING}, {EVM_PC_P256VERIFY, PCV_P256},
    {EVM_PC_BLS_G1ADD, PCV_BLS_G1ADD},   {EVM_PC_BLS_G2ADD, PCV_BLS_G2ADD},
    {EVM_PC_BLS_G1MSM, PCV_BLS_G1MUL},   {EVM_PC_BLS_PAIRING, PCV_BLS_PAIRING_B},
    {EVM_PC_BLS_MAP_G1, PCV_BLS_MAP_G1}, {EVM_PC_BLS_MAP_G2, PCV_BLS_MAP_G2},
};

/* Fill buf with the input of id; returns its length, 0 on failure. */
static size_t bp_input(evm_pc_id id, uint8_t *buf, size_t cap) {
  uint64_t seed = (uint64_t)id * 7919u;
  switch (id) {
  default:
    for (size_t i = 0; i < sizeof bp_curve_inputs / sizeof bp_curve_inputs[0]; i++) {
      if (bp_curve_inputs[i].id != id) continue;
      size_t n = strlen(bp_curve_inputs[i].hex) / 2;
      if (n > cap || bp_hex(bp_curve_inputs[i].hex, buf, n)) return 0;
      return n;
    }
    return 0;
  case EVM_PC_ECRECOVER:
    if (cap < 128) return 0;
    memset(buf, 0, 128);
    if (bp_hex("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", buf, 32) ||
        bp_hex("28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276", buf + 64, 32) ||
        bp_hex("67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83", buf + 96, 32))
      return 0;
    buf[63] = 27;
    return 128;
  case EVM_PC_SHA256:
  case EVM_PC_RIPEMD160:
  case EVM_PC_IDENTITY:
    if (cap < 1024) return 0;
    for (size_t i = 0; i < 1024; i++) buf[i] = (uint8_t)bp_seed_next(&seed);
    return 1024;
  case EVM_PC_MODEXP: {
    const size_t ol = 256, el = 3, len = 96 + ol + el + ol;
    if (cap < len) return 0;
    memset(buf, 0, 96);
    buf[30] = (uint8_t)(ol >> 8);
    buf[31] = (uint8_t)ol;
    buf[63] = (uint8_t)el;
    buf[94] = (uint8_t)(ol >> 8);
    buf[95] = (uint8_t)ol;
    uint8_t *b = buf + 96, *e = b + ol, *m = e + el;
    for (size_t i = 0; i < ol; i++) {
      b[i] = (uint8_t)bp_seed_next(&seed);
      m[i] = (uint8_t)bp_seed_next(&seed);
    }
    m[0] |= 0x80;     /* full-size modulus */
    m[ol - 1] |= 1;   /* odd, as an RSA modulus */
    e[0] = 0x01;
    e[1] = 0x00;
    e[2] = 0x01;
    return len;
  }
  case EVM_PC_BLAKE2F: {
    static const char v5[] =
        "0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e"
        "511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b616263000000000000000000000000000000"
        "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000300000000000000000000000000000001";
    if (cap < 213 || strlen(v5) != 426 || bp_hex(v5, buf, 213)) return 0;
    return 213;
  }
  }
}

/* Seconds-scale batches are not needed: a batch of ~20 ms (2 ms quick) is
 * long against the clock and short against a shared machine's noise. */
static int bp_measure(evm_pc_id id, const uint8_t *in, size_t len, int quick, double *ms_per_call) {
  uint8_t *out;
  size_t n;
  evm_pc_work w = {0};
  double t0 = bench_now_ms();
  int rc = evm_pc_run(id, BP_FORK, in, len, &out, &n, &w);
  double one = bench_now_ms() - t0;
  if (rc != EVM_PC_OK) return rc;
  free(out);
  double target = quick ? 2.0 : 20.0;
  long calls = one > 0 ? (long)(target / one) : 100000;
  if (calls < 1) calls = 1;
  if (calls > 1000000) calls = 1000000;
  int reps = quick ? 3 : BP_MAX_REPS;
  double t[BP_MAX_REPS];
  for (int r = 0; r < reps; r++) {
    t0 = bench_now_ms();
    for (long c = 0; c < calls; c++) {
      rc = evm_pc_run(id, BP_FORK, in, len, &out, &n, &w);
      if (rc != EVM_PC_OK) return rc;
      free(out);
    }
    t[r] = (bench_now_ms() - t0) / (double)calls;
  }
  *ms_per_call = bench_median(t, reps);
  return 0;
}

int bench_precompiles_run(const bench_opts *o, bench_emit_fn emit, void *ctx) {
  static const evm_pc_id ids[] = {EVM_PC_ECRECOVER, EVM_PC_SHA256,     EVM_PC_RIPEMD160, EVM_PC_IDENTITY,
                                  EVM_PC_MODEXP,    EVM_PC_BLAKE2F,    EVM_PC_BN_ADD,    EVM_PC_BN_MUL,
                                  EVM_PC_BN_PAIRING, EVM_PC_P256VERIFY, EVM_PC_BLS_G1ADD, EVM_PC_BLS_G2ADD,
                                  EVM_PC_BLS_G1MSM, EVM_PC_BLS_PAIRING, EVM_PC_BLS_MAP_G1, EVM_PC_BLS_MAP_G2};
  int quick = o ? o->quick : 0;
  uint8_t *buf = malloc(2048);
  if (!buf) return -1;
  int rc = 0;
  for (size_t i = 0; i < sizeof ids / sizeof ids[0] && rc == 0; i++) {
    size_t len = bp_input(ids[i], buf, 2048);
    if (!len) {
      rc = -1;
      break;
    }
    double ms;
    int r = bp_measure(ids[i], buf, len, quick, &ms);
    if (r == EVM_PC_UNSUPPORTED) continue; /* not built in: nothing to report */
    if (r != 0) {
      rc = -1;
      break;
    }
    uint64_t gas = evm_pc_gas(ids[i], BP_FORK, buf, len);
    bench_result res = {0};
    res.bench = "precompiles";
    res.variant = evm_pc_name(ids[i]);
    res.size = len;
    res.threads = 1;
    res.median_ms = ms;
    res.per_s = ms > 0 ? (double)gas / 1e6 / (ms / 1e3) : 0;
    res.rate_unit = "mgas";
    res.device = "cpu";
    emit(ctx, &res);
  }
  free(buf);
  return rc;
}
