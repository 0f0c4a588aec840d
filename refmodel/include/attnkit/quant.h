/* Per-head quantisation: real scales of Q, K, V and the output, and the integer multipliers
 * derived from them (docs/numerics.md section 3). Only the multipliers enter the datapath. */
#ifndef ATTNKIT_QUANT_H
#define ATTNKIT_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double q, k, v, o; /* real value = scale * int8 value */
} ak_head_scales;

typedef struct {
    int32_t logit_mult; /* M_l in [2^30, 2^31) */
    int logit_shift;    /* sh_l in [0, 62] */
    int32_t out_mult;   /* M_o */
    int out_shift;      /* sh_o */
} ak_head_quant;

/* Derives M_l, sh_l, M_o, sh_o for head dim d. AK_EINVAL for a non-positive or non-finite
 * scale, AK_ERANGE when a multiplier's shift falls outside [0, 62]. */
ak_status ak_head_quant_from_scales(const ak_head_scales *s, uint32_t d, ak_head_quant *out);

/* When ak_head_quant_from_scales gives AK_ERANGE for s: writes into buf which multiplier is out
 * of [2^-32, 2^31) (shift 0..62, numerics.md 3), its value, the scales it came from and the range
 * those scales must lie in, e.g. "output scale s_o = 1e-30 (s_v = 0.01) gives the output
 * multiplier s_v / s_o / 2^16 = 1.5e+23, above 2^31: s_o must be in (7.1e-17, 655.36]"; returns 1.
 * Returns 0 (buf "") when both multipliers are representable. */
int ak_head_quant_range_why(const ak_head_scales *s, uint32_t d, char *buf, size_t len);

/* Symmetric per-tensor quantisation of n reals: scale = max|x| / 127 (1 if all zero),
 * q = sat(round_half_away(x / scale), 8). Deterministic: one IEEE division per element. */
double ak_quantize_symmetric(const double *x, uint64_t n, int8_t *q);

/* ---- input quantisers for real-valued tensors (numerics.md 3.1) ---- */

typedef enum { AK_INQ_MAX, AK_INQ_PERCENTILE, AK_INQ_MSE } ak_inq_kind;

typedef struct {
    ak_inq_kind kind;
    double percentile; /* AK_INQ_PERCENTILE: P in [50, 100] */
} ak_input_quant;

/* "max", "mse" or "percentile:P" (P in [50, 100]). AK_EINVAL otherwise. */
ak_status ak_input_quant_parse(const char *text, ak_input_quant *q);
/* The canonical text of a quantiser ("percentile:99.9"); buf of at least 32 bytes. */
const char *ak_input_quant_name(const ak_input_quant *q, char *buf, unsigned len);

/* The clip c of n finite reals under quantiser q (0 when every x is 0). AK_ENOMEM when the
 * percentile's sort buffer cannot be allocated. */
ak_status ak_input_clip(const double *x, uint64_t n, const ak_input_quant *q, double *clip);

/* q = sat(round_half_away(x / scale), 8); returns how many elements saturated (clipped). */
uint64_t ak_quantize_with_scale(const double *x, uint64_t n, double scale, int8_t *q);

/* ---- output scale (numerics.md 3.2) ---- */

typedef enum {
    AK_OSCALE_CALIBRATED, /* s_o = A s_v / (127 2^16), A = max |o_fx| of the head */
    AK_OSCALE_FIXED,      /* s_o = s_v / 8 (numerics version 1) */
    AK_OSCALE_GIVEN       /* the user's s_o */
} ak_oscale_policy;

const char *ak_oscale_name(ak_oscale_policy p);
ak_status ak_oscale_from_name(const char *name, ak_oscale_policy *p);

/* s_o of the calibrated policy from A = max |o_fx| of a head and that head's s_v. */
double ak_output_scale_calibrated(int64_t amax_fx, double s_v);

#ifdef __cplusplus
}
#endif

#endif
