/* air_field_end: closes a constraint-body instance opened with
 * air_field_ext.h or air_field_base.h, undefining the field macros they
 * define (the AIR's own macros are the including file's to undefine). */
#undef FT
#undef FRAME
#undef ADD
#undef SUB
#undef MUL
#undef K
#undef ASSERT
#undef XOR
