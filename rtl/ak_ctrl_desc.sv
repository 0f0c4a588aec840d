// ak_ctrl_desc: the job descriptor part of the controller (ak_ctrl). It reads the descriptor's
// fields out of the two header beats ak_ctrl captured, checks them (check_code_o, valid in the
// Check state, the ERR codes of docs/architecture.md "Illegal jobs"), and latches the job in
// the Check state: shape, strides, bases, the slot length T, the number of kv-block lists.
// ADDRESS_WRAP: a region the descriptor names (docs/dma-safety.md) that runs past 2^64 (its
// end, start + bytes, above 2^64; kv_idx's length is data: ak_ctrl_front). Offsets and field positions come
// from the generated ak_desc_pkg (rtl/regs/attnkit_desc.rdl). Latency: the check is
// combinational; the job is registered at the end of the Check cycle.
module ak_ctrl_desc #(
  parameter int Rows       = ak_pkg::DefaultRows,
  parameter int MaxHeadDim = ak_pkg::MaxHeadDim
) (
  input  logic                         clk_i,
  input  logic                         start_i,       // a start taken in Idle: latch desc_addr_i
  input  logic [63:0]                  desc_addr_i,
  input  logic                         check_i,       // the Check state: latch the job
  input  logic [2*ak_pkg::BeatBits-1:0] hdr_i,         // the descriptor's header beats
  output logic [7:0]                   check_code_o,  // ErrNone or the first failed check
  output logic [63:0]                  desc_addr_o,
  // header fields the front end takes over in the Check state
  output logic [63:0]                  q_addr_o,
  output logic [63:0]                  o_addr_o,
  // the job (valid from the cycle after Check)
  output logic [31:0]                  heads_o,
  output logic [ak_pkg::TokenBits-1:0] nq_o,
  output logic [ak_pkg::TokenBits-1:0] nk_o,
  output logic [7:0]                   d_o,
  output logic [7:0]                   blk_o,
  output logic [2:0]                   lgd_o,         // log2 d
  output logic [2:0]                   lgb_o,         // log2 B
  output logic                         causal_o,
  output logic                         per_head_o,    // one kv-block list set per head
  output logic [ak_pkg::TokenBits-1:0] qblocks_o,
  output logic [ak_pkg::TokenBits-1:0] kblocks_o,
  output logic [23:0]                  qstride_o,     // bytes between heads of Q and O
  output logic [23:0]                  kvstride_o,    // bytes between heads of K and V
  output logic [15:0]                  slot_len_o,    // T
  output logic [63:0]                  k_base_o,
  output logic [63:0]                  v_base_o,
  output logic [63:0]                  off_base_o,
  output logic [63:0]                  idx_base_o,
  output logic                         ofx_en_o,      // SHAPE.ofx: o_fx written too
  output logic [63:0]                  ofx_base_o,
  output logic [48:0]                  lists_o        // kv-block lists: kv_off has lists + 1 words
);
  localparam int TokenBits = ak_pkg::TokenBits;
  function automatic logic [31:0] hdr_word(input logic [2*ak_pkg::BeatBits-1:0] h,
                                           input int offset);
    hdr_word = h[offset*8 +: 32];
  endfunction
  function automatic logic [63:0] hdr_addr(input logic [2*ak_pkg::BeatBits-1:0] h, input int lo,
                                           input int hi);
    hdr_addr = {h[hi*8 +: 32], h[lo*8 +: 32]};
  endfunction
  // log2 of a checked head dim or block size (16, 32, 64 or 128)
  function automatic logic [2:0] log2_8(input logic [7:0] x);
    case (x)
      8'd16: log2_8 = 3'd4;
      8'd32: log2_8 = 3'd5;
      8'd64: log2_8 = 3'd6;
      default: log2_8 = 3'd7;
    endcase
  endfunction
  // bytes of a head: n rows of 2^log2_d bytes, rounded up to whole beats
  function automatic logic [23:0] stride(input logic [TokenBits-1:0] n,
                                         input logic [2:0] log2_d);
    logic [23:0] bytes;
    bytes = 24'(n) << log2_d;
    stride = (bytes + 24'(ak_pkg::BeatBytes - 1)) & ~24'(ak_pkg::BeatBytes - 1);
  endfunction

  // descriptor fields straight from the header beats
  logic [31:0] f_magic, f_version, f_heads, f_nq, f_nk, f_shape;
  logic [7:0] f_d, f_blk;
  logic [63:0] f_q, f_k, f_v, f_o, f_off, f_idx, f_ofx;
  assign f_magic = hdr_word(hdr_i, ak_desc_pkg::MagicOffset);
  assign f_version = hdr_word(hdr_i, ak_desc_pkg::VersionOffset);
  assign f_heads = hdr_word(hdr_i, ak_desc_pkg::HeadsOffset);
  assign f_nq = hdr_word(hdr_i, ak_desc_pkg::NqOffset);
  assign f_nk = hdr_word(hdr_i, ak_desc_pkg::NkOffset);
  assign f_shape = hdr_word(hdr_i, ak_desc_pkg::ShapeOffset);
  assign f_d = f_shape[ak_desc_pkg::ShapeHeadDimLsb +: 8];
  assign f_blk = f_shape[ak_desc_pkg::ShapeBlockLsb +: 8];
  assign f_q = hdr_addr(hdr_i, ak_desc_pkg::QLoOffset, ak_desc_pkg::QHiOffset);
  assign f_k = hdr_addr(hdr_i, ak_desc_pkg::KLoOffset, ak_desc_pkg::KHiOffset);
  assign f_v = hdr_addr(hdr_i, ak_desc_pkg::VLoOffset, ak_desc_pkg::VHiOffset);
  assign f_o = hdr_addr(hdr_i, ak_desc_pkg::OLoOffset, ak_desc_pkg::OHiOffset);
  assign f_off = hdr_addr(hdr_i, ak_desc_pkg::KvOffLoOffset, ak_desc_pkg::KvOffHiOffset);
  assign f_idx = hdr_addr(hdr_i, ak_desc_pkg::KvIdxLoOffset, ak_desc_pkg::KvIdxHiOffset);
  // OFX only matters (and is checked) in debug mode
  assign f_ofx = f_shape[ak_desc_pkg::ShapeOfxLsb] ?
                 hdr_addr(hdr_i, ak_desc_pkg::OfxLoOffset, ak_desc_pkg::OfxHiOffset) : '0;
  assign q_addr_o = f_q;
  assign o_addr_o = f_o;

  logic [63:0] desc_addr_q;  // latched at the start
  // the regions' sizes (valid once the counts, head dim and block size have passed)
  logic [TokenBits-1:0] f_qblocks;
  logic [23:0] f_qstride, f_kvstride;
  logic [55:0] f_qbytes, f_kvbytes;
  logic [63:0] f_ofxbytes;  // debug mode: o_fx int32 [heads][nq][d], dense
  logic [48:0] f_lists;
  assign f_qblocks = TokenBits'((f_nq + 32'(f_blk) - 1) >> log2_8(f_blk));
  assign f_qstride = stride(TokenBits'(f_nq), log2_8(f_d));
  assign f_kvstride = stride(TokenBits'(f_nk), log2_8(f_d));
  assign f_qbytes = 56'(f_heads) * 56'(f_qstride);
  assign f_kvbytes = 56'(f_heads) * 56'(f_kvstride);
  assign f_ofxbytes = (64'(f_heads) * 64'(f_nq)) << (4'(log2_8(f_d)) + 4'd2);
  assign f_lists = f_shape[ak_desc_pkg::ShapeMaskPerHeadLsb] ? 49'(f_heads) * 49'(f_qblocks)
                                                             : 49'(f_qblocks);
  // [a, a + n) ends above 2^64
  function automatic logic past_top(input logic [63:0] a, input logic [63:0] n);
    past_top = 65'(a) + 65'(n) > {1'b1, 64'd0};
  endfunction
  logic f_wraps;
  assign f_wraps = past_top(desc_addr_q, 64'(ak_desc_pkg::QuantOffset) + (64'(f_heads) << 4)) ||
                   past_top(f_q, 64'(f_qbytes)) || past_top(f_o, 64'(f_qbytes)) ||
                   past_top(f_k, 64'(f_kvbytes)) || past_top(f_v, 64'(f_kvbytes)) ||
                   past_top(f_off, (64'(f_lists) + 64'd1) << 2) ||
                   (f_shape[ak_desc_pkg::ShapeOfxLsb] && past_top(f_ofx, f_ofxbytes));

  always @* begin
    check_code_o = 8'(ak_csr_pkg::ErrNone);
    if (f_magic != ak_desc_pkg::MagicMagicReset || f_version != ak_desc_pkg::VersionVersionReset)
      check_code_o = 8'(ak_csr_pkg::ErrBadDesc);
    else if (f_heads == 0 || f_nq == 0 || f_nk == 0 || f_nq > 32'(ak_pkg::MaxTokens) ||
             f_nk > 32'(ak_pkg::MaxTokens))
      check_code_o = 8'(ak_csr_pkg::ErrZeroTokens);
    else if (!(f_d == 8'd32 || f_d == 8'd64 || f_d == 8'd128) || 32'(f_d) > MaxHeadDim)
      check_code_o = 8'(ak_csr_pkg::ErrHeadDim);
    else if (!(f_blk == 8'd16 || f_blk == 8'd32 || f_blk == 8'd64 || f_blk == 8'd128))
      check_code_o = 8'(ak_csr_pkg::ErrBlockSize);
    else if (((f_q | f_k | f_v | f_o | f_off | f_idx | f_ofx) & (64'(ak_pkg::BeatBytes) - 64'd1)) != 0)
      check_code_o = 8'(ak_csr_pkg::ErrMisaligned);
    else if (f_wraps)
      check_code_o = 8'(ak_csr_pkg::ErrAddressWrap);
  end

  // the job
  logic [63:0] k_base_q, v_base_q, off_base_q, idx_base_q;
  logic [31:0] heads_q;
  logic [TokenBits-1:0] nq_q, nk_q, qblocks_q, kblocks_q;
  logic [7:0] d_q, blk_q;
  logic [2:0] lgd_q, lgb_q;
  logic causal_q, per_head_q, ofx_en_q;
  logic [63:0] ofx_base_q;
  logic [23:0] qstride_q, kvstride_q;
  logic [15:0] slot_len_q;
  logic [48:0] lists_q;
  always_ff @(posedge clk_i) begin
    if (start_i) desc_addr_q <= desc_addr_i;
    if (check_i) begin
      heads_q <= f_heads;
      nq_q <= TokenBits'(f_nq);
      nk_q <= TokenBits'(f_nk);
      d_q <= f_d;
      blk_q <= f_blk;
      lgd_q <= log2_8(f_d);
      lgb_q <= log2_8(f_blk);
      causal_q <= f_shape[ak_desc_pkg::ShapeTokenCausalLsb];
      per_head_q <= f_shape[ak_desc_pkg::ShapeMaskPerHeadLsb];
      qblocks_q <= f_qblocks;
      lists_q <= f_lists;
      kblocks_q <= TokenBits'((f_nk + 32'(f_blk) - 1) >> log2_8(f_blk));
      qstride_q <= f_qstride;
      kvstride_q <= f_kvstride;
      // T = max(d, Rows * d / 16, Rows + 2)
      slot_len_q <= 16'(Rows * 32'(f_d) / 16) > 16'(f_d) ?
                    (16'(Rows * 32'(f_d) / 16) > 16'(Rows + 2) ? 16'(Rows * 32'(f_d) / 16) : 16'(Rows + 2)) :
                    (16'(f_d) > 16'(Rows + 2) ? 16'(f_d) : 16'(Rows + 2));
      k_base_q <= f_k;
      v_base_q <= f_v;
      off_base_q <= f_off;
      idx_base_q <= f_idx;
      ofx_en_q <= f_shape[ak_desc_pkg::ShapeOfxLsb];
      ofx_base_q <= f_ofx;
    end
  end

  assign heads_o = heads_q;
  assign nq_o = nq_q;
  assign nk_o = nk_q;
  assign d_o = d_q;
  assign blk_o = blk_q;
  assign lgd_o = lgd_q;
  assign lgb_o = lgb_q;
  assign causal_o = causal_q;
  assign per_head_o = per_head_q;
  assign qblocks_o = qblocks_q;
  assign kblocks_o = kblocks_q;
  assign qstride_o = qstride_q;
  assign kvstride_o = kvstride_q;
  assign slot_len_o = slot_len_q;
  assign k_base_o = k_base_q;
  assign v_base_o = v_base_q;
  assign off_base_o = off_base_q;
  assign idx_base_o = idx_base_q;
  assign desc_addr_o = desc_addr_q;
  assign ofx_en_o = ofx_en_q;
  assign ofx_base_o = ofx_base_q;
  assign lists_o = lists_q;
endmodule
