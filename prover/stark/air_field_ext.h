/* air_field_ext: binds the field macros of a constraint body to the extension
 * field, for an AIR's eval_ext instance (the definition, used by the verifier).
 *
 * Every AIR writes its constraints once, in a body file (*_body.inc), over
 *   FT            the value type            FRAME    the evaluation frame type
 *   ADD, SUB, MUL the field operations      K(v)     the constant v < p as an FT
 *   ASSERT(e, c)  fold constraint c into e  XOR(a,b) arithmetic xor of two bits
 * and instantiates it twice: between air_field_ext.h and air_field_end.h, and
 * between air_field_base.h (the same macros over bb_t) and air_field_end.h.
 * The including file defines the AIR's own macros (NAME, SUFFIX, tables,
 * LIMB, ...) around the body itself. The CUDA kernels bind the same names
 * with their own definitions (cuda/cu_kern_air.h).
 *
 * Not include-guarded, as each instance includes it anew; it refuses to
 * open an instance while another is still open. */
#include "stark/air.h"

#ifdef FT
#error "air_field_ext.h: the previous instance was not closed with air_field_end.h"
#endif

#ifndef PKB_STARK_AIR_FIELD_EXT_XOR
#define PKB_STARK_AIR_FIELD_EXT_XOR
/* Arithmetic xor of two bits, a + b - 2ab (degree = deg a + deg b). */
static inline ext_t stark_air_xor_ext(ext_t a, ext_t b) {
  ext_t ab = ext_mul(a, b);
  return ext_sub(ext_add(a, b), ext_add(ab, ab));
}
#endif

#define FT ext_t
#define FRAME stark_eval_ext
#define ADD ext_add
#define SUB ext_sub
#define MUL ext_mul
#define K(v) ext_from_base(bb_from_u32(v))
#define ASSERT stark_assert_zero_ext
#define XOR stark_air_xor_ext
