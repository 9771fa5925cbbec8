/* RLP known answers (from the encoding's specification in the Yellow Paper and
 * the ethereum wiki examples) and strict-decoder rejections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evm/rlp.h"

static void expect_enc(rlp_enc *e, const char *hex) {
  uint8_t *out;
  size_t len;
  assert_int_equal(rlp_enc_finish(e, &out, &len), RLP_OK);
  size_t n = strlen(hex) / 2;
  assert_int_equal(len, n);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    assert_int_equal(out[i], v);
  }
  free(out);
}

static void test_known_answers(void **state) {
  (void)state;
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_put_bytes(&e, "dog", 3);
  expect_enc(&e, "83646f67");
  rlp_list_begin(&e);
  rlp_put_bytes(&e, "cat", 3);
  rlp_put_bytes(&e, "dog", 3);
  rlp_list_end(&e);
  expect_enc(&e, "c88363617483646f67");
  rlp_put_bytes(&e, "", 0);
  expect_enc(&e, "80");
  rlp_list_begin(&e);
  rlp_list_end(&e);
  expect_enc(&e, "c0");
  rlp_put_u64(&e, 0);
  expect_enc(&e, "80");
  rlp_put_u64(&e, 15);
  expect_enc(&e, "0f");
  rlp_put_u64(&e, 1024);
  expect_enc(&e, "820400");
  rlp_put_bytes(&e, "\x00", 1);
  expect_enc(&e, "00");
  /* [ [], [[]], [ [], [[]] ] ] */
  rlp_list_begin(&e);
  rlp_list_begin(&e);
  rlp_list_end(&e);
  rlp_list_begin(&e);
  rlp_list_begin(&e);
  rlp_list_end(&e);
  rlp_list_end(&e);
  rlp_list_begin(&e);
  rlp_list_begin(&e);
  rlp_list_end(&e);
  rlp_list_begin(&e);
  rlp_list_begin(&e);
  rlp_list_end(&e);
  rlp_list_end(&e);
  rlp_list_end(&e);
  rlp_list_end(&e);
  expect_enc(&e, "c7c0c1c0c3c0c1c0");
  const char *lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  rlp_put_bytes(&e, lorem, strlen(lorem));
  uint8_t *out;
  size_t len;
  assert_int_equal(rlp_enc_finish(&e, &out, &len), RLP_OK);
  assert_int_equal(len, 58);
  assert_int_equal(out[0], 0xb8);
  assert_int_equal(out[1], 0x38);
  rlp_item it;
  size_t eoff;
  assert_int_equal(rlp_decode_whole(out, len, &it, &eoff), RLP_OK);
  assert_int_equal(it.len, 56);
  assert_memory_equal(it.p, lorem, 56);
  free(out);
  uint8_t u[32] = {0};
  u[31] = 1;
  u[30] = 0;
  rlp_put_u256(&e, u);
  expect_enc(&e, "01");
  rlp_enc_free(&e);
}

static void test_long_list_roundtrip(void **state) {
  (void)state;
  /* Lists whose payload crosses the 55-byte and 256-byte header boundaries. */
  for (size_t n = 0; n < 300; n += 7) {
    rlp_enc e;
    rlp_enc_init(&e);
    rlp_list_begin(&e);
    for (size_t i = 0; i < n; i++) rlp_put_u64(&e, i * 1000);
    rlp_list_end(&e);
    uint8_t *out;
    size_t len;
    assert_int_equal(rlp_enc_finish(&e, &out, &len), RLP_OK);
    rlp_item top;
    size_t eoff;
    assert_int_equal(rlp_decode_whole(out, len, &top, &eoff), RLP_OK);
    rlp_iter it;
    rlp_iter_init(&it, &top);
    rlp_item x;
    size_t k = 0;
    while (rlp_iter_next(&it, &x, &eoff) == 1) {
      uint64_t v;
      assert_int_equal(rlp_get_u64(&x, &v), RLP_OK);
      assert_int_equal(v, k * 1000);
      k++;
    }
    assert_int_equal(k, n);
    free(out);
  }
}

static void test_rejections(void **state) {
  (void)state;
  rlp_item it;
  size_t off;
  assert_int_equal(rlp_decode_whole((const uint8_t *)"\x81\x05", 2, &it, &off), RLP_E_NONCANON);
  assert_int_equal(rlp_decode_whole((const uint8_t *)"\xb8\x05" "abcde", 7, &it, &off), RLP_E_NONCANON);
  assert_int_equal(rlp_decode_whole((const uint8_t *)"\xb9\x00\x38", 3, &it, &off), RLP_E_NONCANON);
  assert_int_equal(rlp_decode_whole((const uint8_t *)"\x83" "ab", 3, &it, &off), RLP_E_TRUNCATED);
  assert_int_equal(rlp_decode_whole((const uint8_t *)"\xc1", 1, &it, &off), RLP_E_TRUNCATED);
  assert_int_equal(rlp_decode_whole((const uint8_t *)"\x01\x02", 2, &it, &off), RLP_E_MALFORMED);
  assert_int_equal(off, 1);
  assert_int_equal(rlp_decode_whole((const uint8_t *)"", 0, &it, &off), RLP_E_TRUNCATED);
  /* length of length 9: beyond size_t on 64-bit */
  uint8_t big[12] = {0xbf, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  assert_int_equal(rlp_decode(big, sizeof big, 0, &it, &off), RLP_E_TRUNCATED);
  uint64_t v;
  assert_int_equal(rlp_decode_whole((const uint8_t *)"\x82\x00\x01", 3, &it, &off), RLP_OK);
  assert_int_equal(rlp_get_u64(&it, &v), RLP_E_RANGE);
  assert_int_equal(rlp_decode_whole((const uint8_t *)"\xc0", 1, &it, &off), RLP_OK);
  assert_int_equal(rlp_get_u64(&it, &v), RLP_E_TYPE);
  uint8_t a[20];
  assert_int_equal(rlp_decode_whole((const uint8_t *)"\x83" "abc", 4, &it, &off), RLP_OK);
  assert_int_equal(rlp_get_fixed(&it, a, 20), RLP_E_RANGE);
}

static void test_encoder_depth(void **state) {
  (void)state;
  rlp_enc e;
  rlp_enc_init(&e);
  rlp_list_begin(&e);
  uint8_t *out;
  size_t len;
  assert_int_equal(rlp_enc_finish(&e, &out, &len), RLP_E_DEPTH);
  assert_null(out);
  rlp_list_end(&e);
  assert_int_equal(rlp_enc_finish(&e, &out, &len), RLP_E_DEPTH);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_answers),
      cmocka_unit_test(test_long_list_roundtrip),
      cmocka_unit_test(test_rejections),
      cmocka_unit_test(test_encoder_depth),
  };
  return cmocka_run_group_tests_name("rlp", tests, NULL, NULL);
}
