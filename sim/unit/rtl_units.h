/* C API over Verilated RTL units, for unit benches written in C (tests/rtl/). Each function
 * runs one unit on one input (clocked units through their handshake); the Verilated model is
 * built on first use. */
#ifndef ATTNKIT_RTL_UNITS_H
#define ATTNKIT_RTL_UNITS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* rtl/ak_exp2.sv: p for a (0 <= a < 2^25). */
uint32_t ak_rtl_exp2(uint32_t a);

/* rtl/ak_div_pipe.sv: n inputs streamed into the pipelined divider, input i on the i-th clock
 * edge (a bubble where valid is 0); q[i] gets o_fx of each valid input and edges[i] the clock
 * edges from the one taking it to the one after which its result shows, both counted. Returns
 * the number of results the divider gave (one per valid input unless it is wrong). acc is a
 * 48-bit signed value, 0 < l < 2^48 unless zero (a row without keys: o_fx = 0). */
typedef struct {
    int valid, zero;
    int64_t acc;
    uint64_t l;
} ak_rtl_div_in;
unsigned ak_rtl_div_pipe(unsigned n, const ak_rtl_div_in *in, int32_t *q, unsigned *edges);

/* rtl/ak_logit.sv: the base-2 logit of a dot product s with multiplier (mult, shift). */
int32_t ak_rtl_logit(int32_t s, uint32_t mult, unsigned shift);

/* rtl/ak_softmax_tile.sv: one tile step of a row's online softmax. */
typedef struct {
    int has_max;
    int32_t m;
    uint64_t l;
} ak_rtl_row;
void ak_rtl_softmax_tile(const ak_rtl_row *in, unsigned n, const int32_t logit[16],
                         ak_rtl_row *out, unsigned *delta, uint32_t p[16]);

/* rtl/ak_pv_acc.sv (16 columns): acc[c] = round_shift(acc[c], delta) + sum_j p[j] v[j][c]. */
void ak_rtl_pv_acc(int64_t acc[16], unsigned delta, const uint32_t p[16],
                   const int8_t v[16][16]);

/* rtl/ak_csr.sv over AXI4-Lite: reset, single writes and reads (return the BRESP/RRESP),
 * the accelerator-side inputs (done_pulse raises done_i for one cycle), and what the block
 * drove (start/abort pulses counted since reset). */
typedef struct {
    int busy, done_pulse, error;
    unsigned err_code;
    uint64_t cycles, stalls, macs;
    int prune; /* prune_i: CAPS.prune */
} ak_rtl_csr_in;
typedef struct {
    unsigned start_pulses, abort_pulses;
    uint64_t desc_addr;
    int irq;
} ak_rtl_csr_out;
void ak_rtl_csr_reset(void);
unsigned ak_rtl_csr_write(uint32_t addr, uint32_t data, unsigned strb);
unsigned ak_rtl_csr_read(uint32_t addr, uint32_t *data);
void ak_rtl_csr_hw(const ak_rtl_csr_in *in, ak_rtl_csr_out *out);

/* rtl/ak_topk.sv (32-bit scores, AK_BEAT_BYTES / 4 a beat): the top k of n candidates. Every pass it asks for,
 * the n scores are streamed a beat a cycle from the cycle after its request. keep[i] gets the
 * keep flag of candidate i; passes (if not NULL) the passes it asked for. Returns the clock
 * edges from the one taking start_i to the one after which done_o shows, both counted (0 if
 * it did not finish within a bound). */
unsigned ak_rtl_topk(const uint32_t *score, uint32_t n, uint32_t k, uint8_t *keep,
                     unsigned *passes);

/* rtl/ak_chk_axi.sv, the AXI4 master checker, and rtl/ak_chk_axil.sv, the AXI4-Lite slave
 * checker (docs/assertions.md), driven signal by signal: reset holds rst_ni low for two edges;
 * each _cycle call drives one cycle's signals and clocks one edge, and returns the name of the
 * first assertion that failed since the reset ("" none). wdata is the 512-bit W data, 32 bits a
 * word, least significant first. */
#define AK_RTL_BEAT_WORDS 16
typedef struct {
    int arvalid, arready;
    uint64_t araddr;
    unsigned arlen, arsize, arburst;
    int rvalid, rready, rlast;
    int awvalid, awready;
    uint64_t awaddr;
    unsigned awlen, awsize, awburst;
    int wvalid, wready;
    uint32_t wdata[AK_RTL_BEAT_WORDS];
    uint64_t wstrb;
    int wlast, bvalid, bready;
} ak_rtl_axi_sig;
void ak_rtl_chk_axi_reset(void);
const char *ak_rtl_chk_axi_cycle(const ak_rtl_axi_sig *s);

typedef struct {
    int awvalid, awready, wvalid, wready, bvalid, bready;
    unsigned bresp;
    int arvalid, arready, rvalid, rready;
    uint32_t rdata;
    unsigned rresp;
} ak_rtl_axil_sig;
void ak_rtl_chk_axil_reset(void);
const char *ak_rtl_chk_axil_cycle(const ak_rtl_axil_sig *s);

/* rtl/ak_ctrl.sv, for fault injection (docs/assertions.md): reset, then its inputs stay idle;
 * poke overwrites a named flop ("state", "cycles", "slots.fetch", "slots.qk", "slots.sm",
 * "slots.pv", "front.ctx_ready", "front.front", "prune.kf_n"; -1 for another name) until
 * the logic next writes it; edge clocks one edge and returns the names of the assertions that
 * failed since the reset, each followed by a space. */
void ak_rtl_ctrl_reset(void);
int ak_rtl_ctrl_poke(const char *flop, uint64_t value);
/* a read beat (beat_valid_i, beat_tag_i, beat_last_i) offered at the next edge only */
void ak_rtl_ctrl_beat(unsigned tag, int last);
const char *ak_rtl_ctrl_edge(void);

#ifdef __cplusplus
}
#endif

#endif
