/* pc_table: lookup, naming, gas and dispatch of the precompiled contracts.
 *
 * Everything per precompile comes from EVM_PC_LIST (precompile.h): its address,
 * its name and the fork that introduced it. Fixed and table-driven prices live
 * here; modexp and blake2f price from their input in their own files. The
 * bn254, point-evaluation, BLS12-381 and P-256 contracts are priced but not
 * computed in this build: evm_pc_run answers EVM_PC_UNSUPPORTED for them.
 *
 * Gas sources: EIP-2 and Yellow Paper (ecrecover, sha256, ripemd160,
 * identity), EIP-1108 (bn254), EIP-152 (blake2f), EIP-4844 (point evaluation),
 * EIP-2537 (BLS12-381), EIP-7951 (P256VERIFY), EIP-2565 and EIP-7883 (modexp).
 */
#include "evm/precompiles/precompile.h"

#include <stdlib.h>
#include <string.h>

#include "evm/precompiles/pc_impl.h"

static const struct {
  uint16_t addr;
  const char *name;
  blk_fork since;
} pc_info[EVM_PC_COUNT] = {
    [EVM_PC_NONE] = {0, "none", BLK_FORK_COUNT},
#define X(id, a, n, f) [EVM_PC_##id] = {a, n, f},
    EVM_PC_LIST(X)
#undef X
};

evm_pc_id evm_pc_lookup(blk_fork fork, const uint8_t addr[20]) {
  if (!addr || (unsigned)fork >= BLK_FORK_COUNT) return EVM_PC_NONE;
  for (int i = 0; i < 18; i++)
    if (addr[i]) return EVM_PC_NONE;
  unsigned a = (unsigned)addr[18] << 8 | addr[19];
  for (int id = EVM_PC_NONE + 1; id < EVM_PC_COUNT; id++)
    if (pc_info[id].addr == a) return fork >= pc_info[id].since ? (evm_pc_id)id : EVM_PC_NONE;
  return EVM_PC_NONE;
}

void evm_pc_address(evm_pc_id id, uint8_t addr[20]) {
  memset(addr, 0, 20);
  if ((unsigned)id >= EVM_PC_COUNT) return;
  addr[18] = (uint8_t)(pc_info[id].addr >> 8);
  addr[19] = (uint8_t)pc_info[id].addr;
}

const char *evm_pc_name(evm_pc_id id) {
  if ((unsigned)id >= EVM_PC_COUNT) return "unknown";
  return pc_info[id].name;
}

/* ---- gas ---- */

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
static uint64_t sat_mul(uint64_t a, uint64_t b) {
  if (a && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}
static uint64_t words32(size_t len) { return (uint64_t)(len / 32) + (len % 32 != 0); }

/* base + per_word * ceil(len / 32) */
static uint64_t linear_gas(uint64_t base, uint64_t per_word, size_t len) {
  return sat_add(base, sat_mul(per_word, words32(len)));
}

/* EIP-2537 MSM discounts (per mille) for k = 1..128 pairs; larger k uses the
 * last entry. */
static const uint16_t bls_g1_discount[128] = {
    1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665,
    661,  658, 654, 651, 648, 645, 642, 640, 637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615,
    613,  611, 609, 608, 606, 604, 603, 601, 599, 598, 596, 595, 593, 592, 591, 589, 588, 586, 585,
    584,  582, 581, 580, 579, 577, 576, 575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563,
    562,  561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545,
    544,  543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532, 532, 531, 530, 529,
    528,  528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519};
static const uint16_t bls_g2_discount[128] = {
    1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704, 699,
    693,  688,  683, 679, 674, 670, 666, 663, 659, 655, 652, 649, 646, 643, 640, 637, 634, 632, 629,
    627,  624,  622, 620, 618, 615, 613, 611, 609, 607, 606, 604, 602, 600, 598, 597, 595, 593, 592,
    590,  589,  587, 586, 584, 583, 582, 580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568, 567,
    566,  565,  563, 562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549, 548,
    547,  546,  545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536, 535, 535, 534, 533,
    532,  532,  531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524};
_Static_assert(sizeof bls_g1_discount / sizeof bls_g1_discount[0] == 128, "G1 MSM table has 128 entries");
_Static_assert(sizeof bls_g2_discount / sizeof bls_g2_discount[0] == 128, "G2 MSM table has 128 entries");

/* EIP-2537: k = floor(len / pair_len); 0 when k == 0 (the call then fails). */
static uint64_t bls_msm_gas(size_t len, size_t pair_len, uint64_t mul_cost, const uint16_t *disc) {
  uint64_t k = len / pair_len;
  if (k == 0) return 0;
  uint64_t d = disc[k > 128 ? 127 : k - 1];
  uint64_t g = sat_mul(sat_mul(k, mul_cost), d);
  return g == UINT64_MAX ? g : g / 1000;
}

uint64_t evm_pc_gas(evm_pc_id id, blk_fork fork, const uint8_t *in, size_t len) {
  switch (id) {
  case EVM_PC_ECRECOVER: return 3000;
  case EVM_PC_SHA256: return linear_gas(60, 12, len);
  case EVM_PC_RIPEMD160: return linear_gas(600, 120, len);
  case EVM_PC_IDENTITY: return linear_gas(15, 3, len);
  case EVM_PC_MODEXP: return pc_modexp_gas(fork, in, len);
  case EVM_PC_BN_ADD: return 150;
  case EVM_PC_BN_MUL: return 6000;
  case EVM_PC_BN_PAIRING: return sat_add(45000, sat_mul(34000, len / 192));
  case EVM_PC_BLAKE2F: return pc_blake2f_gas(in, len);
  case EVM_PC_POINT_EVAL: return 50000;
  case EVM_PC_BLS_G1ADD: return 375;
  case EVM_PC_BLS_G1MSM: return bls_msm_gas(len, 160, 12000, bls_g1_discount);
  case EVM_PC_BLS_G2ADD: return 600;
  case EVM_PC_BLS_G2MSM: return bls_msm_gas(len, 288, 22500, bls_g2_discount);
  case EVM_PC_BLS_PAIRING: return sat_add(37700, sat_mul(32600, len / 384));
  case EVM_PC_BLS_MAP_G1: return 5500;
  case EVM_PC_BLS_MAP_G2: return 23800;
  case EVM_PC_P256VERIFY: return 6900;
  default: return UINT64_MAX;
  }
}

/* ---- dispatch ---- */

int pc_set_output(const void *data, size_t n, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (n == 0) return EVM_PC_OK;
  uint8_t *p = malloc(n);
  if (!p) return EVM_PC_NOMEM;
  memcpy(p, data, n);
  *out = p;
  *out_len = n;
  return EVM_PC_OK;
}

uint64_t pc_md_blocks(size_t len) { return (uint64_t)(len / 64) + ((len % 64) + 9 > 64 ? 2 : 1); }

int evm_pc_run(evm_pc_id id, blk_fork fork, const uint8_t *in, size_t len, uint8_t **out,
               size_t *out_len, evm_pc_work *work) {
  if (!out || !out_len) return EVM_PC_UNSUPPORTED;
  *out = NULL;
  *out_len = 0;
  if (!in && len) return EVM_PC_UNSUPPORTED;
  evm_pc_work scratch = {0};
  evm_pc_work *w = work ? work : &scratch;
  evm_pc_work before = *w;
  int rc;
  switch (id) {
  case EVM_PC_ECRECOVER: rc = pc_ecrecover_run(in, len, out, out_len, w); break;
  case EVM_PC_SHA256: rc = pc_sha256_run(in, len, out, out_len, w); break;
  case EVM_PC_RIPEMD160: rc = pc_ripemd160_run(in, len, out, out_len, w); break;
  case EVM_PC_IDENTITY: rc = pc_identity_run(in, len, out, out_len, w); break;
  case EVM_PC_MODEXP: rc = pc_modexp_run(fork, in, len, out, out_len, w); break;
  case EVM_PC_BLAKE2F: rc = pc_blake2f_run(in, len, out, out_len, w); break;
  case EVM_PC_BN_ADD: rc = pc_bn254_add_run(in, len, out, out_len, w); break;
  case EVM_PC_BN_MUL: rc = pc_bn254_mul_run(in, len, out, out_len, w); break;
  case EVM_PC_BN_PAIRING: rc = pc_bn254_pairing_run(in, len, out, out_len, w); break;
  case EVM_PC_POINT_EVAL: rc = pc_point_eval_run(in, len, out, out_len, w); break;
  case EVM_PC_BLS_G1ADD: rc = pc_bls12_g1add_run(in, len, out, out_len, w); break;
  case EVM_PC_BLS_G1MSM: rc = pc_bls12_g1msm_run(in, len, out, out_len, w); break;
  case EVM_PC_BLS_G2ADD: rc = pc_bls12_g2add_run(in, len, out, out_len, w); break;
  case EVM_PC_BLS_G2MSM: rc = pc_bls12_g2msm_run(in, len, out, out_len, w); break;
  case EVM_PC_BLS_PAIRING: rc = pc_bls12_pairing_run(in, len, out, out_len, w); break;
  case EVM_PC_BLS_MAP_G1: rc = pc_bls12_map_g1_run(in, len, out, out_len, w); break;
  case EVM_PC_BLS_MAP_G2: rc = pc_bls12_map_g2_run(in, len, out, out_len, w); break;
  case EVM_PC_P256VERIFY: rc = pc_p256verify_run(in, len, out, out_len, w); break;
  default: return EVM_PC_UNSUPPORTED;
  }
  if (rc == EVM_PC_UNSUPPORTED || rc == EVM_PC_NOMEM) {
    *w = before; /* nothing counts as executed */
  } else {
    w->input_bytes += len;
  }
  return rc;
}
