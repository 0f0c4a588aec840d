/* The numeric constants of docs/numerics.md (section 2), defined once. The RTL parameter
 * package and the docs are derived from these values; change the spec first. */
#ifndef ATTNKIT_NUMERICS_H
#define ATTNKIT_NUMERICS_H

#define AK_NUMERICS_VERSION 2

#define AK_LOGIT_FRAC 12    /* F: fractional bits of a base-2 logit */
#define AK_LOGIT_BITS 24    /* saturated width of a base-2 logit */
#define AK_EXP_IDX_BITS 6   /* exp2 table index bits (64 intervals, 65 entries) */
#define AK_EXP_REM_BITS 6   /* interpolation bits = F - index bits */
#define AK_EXP_TABLE_SIZE 65
#define AK_PROB_FRAC 20     /* fractional bits of an unnormalised probability */
#define AK_KEY_TILE 16      /* keys per online-softmax step */
#define AK_ACC_BITS 48      /* running sum and P.V accumulator width */
#define AK_OUT_FRAC 16      /* fractional bits of the pre-requantisation output */
#define AK_OUT_FX_BITS 24   /* width of the pre-requantisation output */
#define AK_MULT_BITS 31     /* multipliers lie in [2^30, 2^31) */
#define AK_MAX_SHIFT 62     /* largest multiplier shift */
#define AK_MAX_TOKENS 65536 /* largest Nq or Nk */
#define AK_MAX_HEAD_DIM 128 /* largest head dim d (32, 64 or 128) */
/* Widths the hardware derives from the values above (checked in refmodel/src/fixed.c). */
#define AK_TOKEN_BITS 17    /* a token count or index, 0..AK_MAX_TOKENS */
#define AK_SHIFT_BITS 6     /* a multiplier shift, 0..AK_MAX_SHIFT */
#define AK_SCORE_BITS 23    /* a signed Q.K^T score, |s| <= 128 * 128 * AK_MAX_HEAD_DIM = 2^21 */

#endif
