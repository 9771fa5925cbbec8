/* air_field_base: binds the field macros of a constraint body to the base
 * field, for an AIR's eval_base instance (the prover's fast path): values are
 * bb_t, folded into the frame's ext_t accumulator by stark_assert_zero_base.
 * The macros and how an instance is opened and closed are described in
 * air_field_ext.h; close the instance with air_field_end.h. */
#include "stark/air.h"

#ifdef FT
#error "air_field_base.h: the previous instance was not closed with air_field_end.h"
#endif

#ifndef PKB_STARK_AIR_FIELD_BASE_XOR
#define PKB_STARK_AIR_FIELD_BASE_XOR
/* Arithmetic xor of two bits, a + b - 2ab (degree = deg a + deg b). */
static inline bb_t stark_air_xor_base(bb_t a, bb_t b) {
  bb_t ab = bb_mul(a, b);
  return bb_sub(bb_add(a, b), bb_add(ab, ab));
}
#endif

#define FT bb_t
#define FRAME stark_eval_base
#define ADD bb_add
#define SUB bb_sub
#define MUL bb_mul
#define K(v) bb_from_u32(v)
#define ASSERT stark_assert_zero_base
#define XOR stark_air_xor_base
