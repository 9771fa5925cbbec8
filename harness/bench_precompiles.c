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

/* Known-good inputs of the curve precompiles: the first valid vector of each
 * family's test set (tests/vectors/bn254_*.txt, tests/vectors/eip2537/, the
 * EIP-7951 vector of tests/evm/test_p256.c). */
static const struct {
  evm_pc_id id;
  const char *hex;
} bp_curve_inputs[] = {
    {EVM_PC_BN_ADD,
     "18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9063c909c4720840cb5134cb9f59fa749"
     "755796819658d32efc0d288198f3726607c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a014eed"
     "06614e20c147e940f2d70da3f74c9a17df361706a4485c742bd6788478fa17d7"},
    {EVM_PC_BN_MUL,
     "2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb721611ce0a6af85915e2f1d70300909ce"
     "2e49dfad4a4619c8390cae66cefdb20400000000000000000000000000000000000000000000000011138ce750fa15c2"},
    {EVM_PC_BN_PAIRING,
     "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745"
     "fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7"
     "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0c"
     "a2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550"
     "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c2032c61a830e3c17286de9462bf242fc"
     "a2883585b93870a73853face6a6bf411198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"},
    {EVM_PC_P256VERIFY,
     "bb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca6050232ba3a8be6b94d5ec80a6d9d1190a436e"
     "ffe50d85a1eee859b8cc6af9bd5c2e184cd60b855d442f5b3c7b11eb6c4e0ae7525fe710fab9aa7c77a67f79e6fadd76"
     "2927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838c7787964eaac00e5921fb1498a60f460"
     "6766b3d9685001558d1a974e7341513e"},
    {EVM_PC_BLS_G1ADD,
     "0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac58"
     "6c55e83ff97a1aeffb3af00adb22c6bb0000000000000000000000000000000008b3f481e3aaa0f1a09e30ed741d8ae4"
     "fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e100000000000000000000000000000000"
     "112b98340eee2777cc3c14163dea3ec97977ac3dc5c70da32e6e87578f44912e902ccef9efe28d4a78b8999dfbca9426"
     "00000000000000000000000000000000186b28d92356c4dfec4b5201ad099dbdede3781f8998ddf929b4cd7756192185"
     "ca7b8f4ef7088f813270ac3d48868a21"},
    {EVM_PC_BLS_G2ADD,
     "00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d177"
     "0bac0326a805bbefd48056c8c121bdb80000000000000000000000000000000013e02b6052719f607dacd3a088274f65"
     "596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e00000000000000000000000000000000"
     "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801"
     "000000000000000000000000000000000606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab"
     "3f370d275cec1da1aaa9075ff05f79be00000000000000000000000000000000103121a2ceaae586d240843a39896732"
     "5f8eb5a93e8fea99b62b9f88d8556c80dd726a4b30e84a36eeabaf3592937f2700000000000000000000000000000000"
     "086b990f3da2aeac0a36143b7d7c824428215140db1bb859338764cb58458f081d92664f9053b50b3fbd2e4723121b68"
     "000000000000000000000000000000000f9e7ba9a86a8f7624aa2b42dcc8772e1af4ae115685e60abc2c9b90242167ac"
     "ef3d0be4050bf935eed7c3b6fc7ba77e000000000000000000000000000000000d22c3652d0dc6f0fc9316e14268477c"
     "2049ef772e852108d269d9c38dba1d4802e8dae479818184c08f9a569d878451"},
    {EVM_PC_BLS_G1MSM,
     "0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac58"
     "6c55e83ff97a1aeffb3af00adb22c6bb0000000000000000000000000000000008b3f481e3aaa0f1a09e30ed741d8ae4"
     "fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e100000000000000000000000000000000"
     "00000000000000000000000000000002"},
    {EVM_PC_BLS_PAIRING,
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
    {EVM_PC_BLS_MAP_G1,
     "00000000000000000000000000000000156c8a6a2c184569d69a76be144b5cdc5141d2d2ca4fe341f011e25e3969c55a"
     "d9e9b9ce2eb833c81a908e5fa4ac5f03"},
    {EVM_PC_BLS_MAP_G2,
     "0000000000000000000000000000000007355d25caf6e7f2f0cb2812ca0e513bd026ed09dda65b177500fa31714e09ea"
     "0ded3a078b526bed3307f804d4b93b040000000000000000000000000000000002829ce3c021339ccb5caf3e187f6370"
     "e1e2a311dec9b75363117063ab2015603ff52c3d3b98f19c2f65575e99e8b78c"},
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
