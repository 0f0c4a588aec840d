// ak_tile_buf: a tile of NRows rows of d int8 (d = 32, 64 or 128 <= MaxHeadDim), filled by
// 64-byte memory words in the order they come from memory: word w holds tile bytes
// [64w, 64w + 64) of the row-major tile (row r, byte c = tile byte r*d + c). Storage is one
// 64-byte segment per (row, 64 columns); a d = 32 word fills the first half of two rows'
// segments. All rows are visible at once on data_o (row r byte c at [(r*MaxHeadDim + c)*8 +: 8]);
// bytes past d and rows never written hold stale data the readers ignore.
// Latency: a word written on a clock edge is visible after it.
module ak_tile_buf #(
  parameter int NRows      = 16,
  parameter int MaxHeadDim = ak_pkg::MaxHeadDim
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,   // for the simulation's checks only
  input  logic                            we_i,
  input  logic [7:0]                      word_i,   // w
  input  logic [ak_pkg::BeatBits-1:0] wdata_i,
  input  logic [7:0]                      d_i,      // head dim: 32, 64 or 128
  output logic [NRows*MaxHeadDim*8-1:0]   data_o
);
  // segments per row, of one beat each (half a beat when MaxHeadDim = 32)
  localparam int Segs = MaxHeadDim / ak_pkg::BeatBytes > 0 ? MaxHeadDim / ak_pkg::BeatBytes : 1;
  localparam int SegBits = MaxHeadDim >= ak_pkg::BeatBytes ? ak_pkg::BeatBits : MaxHeadDim * 8;
  localparam int NSeg = NRows * Segs;
  localparam int IdxBits = $clog2(NSeg) > 0 ? $clog2(NSeg) : 1;

  logic [SegBits-1:0] seg_q [NSeg];

  // up to two segments written per word (d = 32: rows 2w and 2w + 1)
  logic [31:0] ia, ib;
  logic [SegBits-1:0] da, db;
  logic wa, wb;
  always @* begin
    ia = '0;
    ib = '0;
    da = SegBits'(wdata_i);
    db = SegBits'(wdata_i[ak_pkg::BeatBits-1:ak_pkg::BeatBits/2]);
    wa = 1'b0;
    wb = 1'b0;
    case (d_i)
      8'd32: begin
        ia = 2 * 32'(word_i) * Segs;
        ib = (2 * 32'(word_i) + 1) * Segs;
        wa = we_i;
        wb = we_i;
      end
      8'd64: begin
        ia = 32'(word_i) * Segs;
        wa = we_i;
      end
      default: begin  // 128
        ia = 32'(word_i) / 2 * Segs + 32'(word_i) % 2;
        wa = we_i;
      end
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (wa && ia < NSeg) seg_q[IdxBits'(ia)] <= da;
    if (wb && ib < NSeg) seg_q[IdxBits'(ib)] <= db;
  end

  for (genvar s = 0; s < NSeg; s++) begin : g_out
    assign data_o[s*SegBits +: SegBits] = seg_q[s];
  end

`ifndef SYNTHESIS
  // ---- assertions (simulation only; docs/assertions.md). chk_live_q: out of reset since the
  // last edge (rst_ni is only an asynchronous reset, never sampled) ----
  logic chk_live_q;
  always_ff @(posedge clk_i or negedge rst_ni) chk_live_q <= rst_ni;
  // a write lands inside the buffer (a word past the tile's capacity would be dropped), and only
  // with a supported head dim
  always @(posedge clk_i)
    if (chk_live_q && we_i) begin
      if ((wa && ia >= 32'(NSeg)) || (wb && ib >= 32'(NSeg)))
        $fatal(1, "AK_ASSERT tile_buf_overflow: word %0d (d = %0d) past the %0d rows of the tile",
               word_i, d_i, NRows);
      if (!(d_i == 8'd32 || d_i == 8'd64 || d_i == 8'd128) || 32'(d_i) > MaxHeadDim)
        $fatal(1, "AK_ASSERT tile_buf_d: a write with head dim %0d (32, 64, 128 up to %0d)", d_i,
               MaxHeadDim);
    end
`endif
endmodule
