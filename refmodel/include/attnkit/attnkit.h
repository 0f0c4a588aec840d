/* attnkit reference model: the umbrella header. */
#ifndef ATTNKIT_H
#define ATTNKIT_H

#include "attnkit/accuracy.h"
#include "attnkit/attention.h"
#include "attnkit/cycle_model.h"
#include "attnkit/estimate.h"
#include "attnkit/error_budget.h"
#include "attnkit/exp2.h"
#include "attnkit/fixed.h"
#include "attnkit/float_ref.h"
#include "attnkit/inputs.h"
#include "attnkit/mask.h"
#include "attnkit/npy.h"
#include "attnkit/numerics.h"
#include "attnkit/prune.h"
#include "attnkit/quant.h"
#include "attnkit/rng.h"
#include "attnkit/scaled_attention.h"
#include "attnkit/status.h"
#include "attnkit/vectors.h"
#include "attnkit/version.h"
#include "attnkit/workload.h"

#endif
