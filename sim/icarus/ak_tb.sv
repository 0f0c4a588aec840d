// ak_tb: Icarus Verilog (-g2012) testbench of the whole accelerator on one vector layer
// (vectors/README.md, format 2). Not synthesizable.
//
// It loads the layer's memory image (mem.hex) into an AXI4 memory model with the deterministic
// semantics of the C model (sim/mem_model.h), programs the CSRs over AXI4-Lite (DESC_ADDR, then
// CTRL = start | irq_en), waits for irq_o, checks STATUS, compares the o region word by word
// with o.hex (and, when given, the pruning regions with prune.hex), checks that nothing outside
// them was written and that the master kept the AXI rules and the accelerator's burst contract,
// then prints one line: PASS or FAIL, the mismatching words and the CYCLES CSR. PASS ends with $finish, FAIL with $fatal (vvp exits non-zero).
//
// Plusargs:
//   +mem=FILE        mem.hex: the words from address 0 to the start of o       (required)
//   +expect=FILE     o.hex: the expected words of the o region                  (required)
//   +words=N         words in o.hex (the o region's size / 8)                   (required)
//   +o_word=N        o's first word (its address / 8) = the words in mem.hex    (required)
//   +prune=FILE      prune.hex: the expected words of the pruning regions (score, kept,
//                    fused and their padding; pruning and eviction layers)     (optional)
//   +prune_word=N    the first word of prune.hex (regions.score.addr / 8)      (with +prune)
//   +prune_words=N   words in prune.hex ((memory.end - regions.score.addr) / 8) (with +prune)
//   +desc=ADDR       descriptor address for DESC_ADDR_LO/HI                     (default 0)
//   +latency=N       memory latency in cycles, >= 1                            (default 20)
//   +max_cycles=N    cycle budget from start to irq_o                           (default 2000000)
//   +idle_limit=N    a hang: no AXI4 transfer for N cycles while waiting        (default 20000)
//   +name=STR        label of the result line
//   +vcd=FILE        dump a VCD waveform
//   +plant=NAME      plant a fault to show a check fires: x_irq or stray_r (below)
// Every edge from reset on, an X or Z on an output of ak_top (a valid, ready or irq_o; a payload
// while its valid is up) fails the run; an RTL assertion (docs/assertions.md) that fails ends
// it at once with its "AK_ASSERT <name>" line and a non-zero exit ($fatal).
// Compile-time parameters: MemWords, the memory size in 64-bit words (default 2^18 = 2 MiB);
// MaxReads, MaxWrites, WbufBeats, the C model's bounds, which sim/icarus/icarus.mk takes from
// sim/mem_model.h (AK_MEM_*) so both memories keep one timing. The beat is the package's.
module ak_tb #(
  parameter int MemWords  = 1 << 18,
  parameter int MaxReads  = 0,
  parameter int MaxWrites = 0,
  parameter int WbufBeats = 0
);
  localparam int BeatBytes = ak_pkg::BeatBytes;
  localparam int BeatBits = 8 * BeatBytes;
  logic clk = 1'b0;
  logic rst_n = 1'b1;  // falls at #1: an edge for asynchronous resets (see the test below)
  always #5 clk = ~clk;

  // ---- the accelerator ----------------------------------------------------------------------
  logic        s_awvalid = 1'b0, s_awready;
  logic [7:0]  s_awaddr = '0;
  logic        s_wvalid = 1'b0, s_wready;
  logic [31:0] s_wdata = '0;
  logic [3:0]  s_wstrb = '0;
  logic        s_bvalid, s_bready = 1'b0;
  logic [1:0]  s_bresp;
  logic        s_arvalid = 1'b0, s_arready;
  logic [7:0]  s_araddr = '0;
  logic        s_rvalid, s_rready = 1'b0;
  logic [31:0] s_rdata;
  logic [1:0]  s_rresp;

  logic         m_arvalid, m_arready;
  logic [63:0]  m_araddr;
  logic [7:0]   m_arlen;
  logic [2:0]   m_arsize;
  logic [1:0]   m_arburst;
  logic         m_rvalid, m_rready, m_rlast;
  logic [BeatBits-1:0] m_rdata;
  logic [1:0]   m_rresp;
  logic         m_awvalid, m_awready;
  logic [63:0]  m_awaddr;
  logic [7:0]   m_awlen;
  logic [2:0]   m_awsize;
  logic [1:0]   m_awburst;
  logic         m_wvalid, m_wready, m_wlast;
  logic [BeatBits-1:0] m_wdata;
  logic [63:0]  m_wstrb;
  logic         m_bvalid, m_bready;
  logic [1:0]   m_bresp;
  logic         irq;

  ak_top u_dut (
    .clk_i(clk), .rst_ni(rst_n),
    .s_awvalid_i(s_awvalid), .s_awready_o(s_awready), .s_awaddr_i(s_awaddr),
    .s_wvalid_i(s_wvalid), .s_wready_o(s_wready), .s_wdata_i(s_wdata), .s_wstrb_i(s_wstrb),
    .s_bvalid_o(s_bvalid), .s_bready_i(s_bready), .s_bresp_o(s_bresp),
    .s_arvalid_i(s_arvalid), .s_arready_o(s_arready), .s_araddr_i(s_araddr),
    .s_rvalid_o(s_rvalid), .s_rready_i(s_rready), .s_rdata_o(s_rdata), .s_rresp_o(s_rresp),
    .m_arvalid_o(m_arvalid), .m_arready_i(m_arready), .m_araddr_o(m_araddr),
    .m_arlen_o(m_arlen), .m_arsize_o(m_arsize), .m_arburst_o(m_arburst),
    .m_rvalid_i(m_rvalid), .m_rready_o(m_rready), .m_rdata_i(m_rdata), .m_rresp_i(m_rresp),
    .m_rlast_i(m_rlast),
    .m_awvalid_o(m_awvalid), .m_awready_i(m_awready), .m_awaddr_o(m_awaddr),
    .m_awlen_o(m_awlen), .m_awsize_o(m_awsize), .m_awburst_o(m_awburst),
    .m_wvalid_o(m_wvalid), .m_wready_i(m_wready), .m_wdata_o(m_wdata), .m_wstrb_o(m_wstrb),
    .m_wlast_o(m_wlast),
    .m_bvalid_i(m_bvalid), .m_bready_o(m_bready), .m_bresp_i(m_bresp),
    .irq_o(irq)
  );

  // ---- AXI4 memory model: the deterministic semantics of sim/mem_model.c --------------------
  // arready, awready and wready are 1 (arready drops while MaxReads read bursts are
  // outstanding, awready while MaxWrites write bursts await their response, wready while
  // WbufBeats early write beats wait for their AW: bounds the accelerator never reaches);
  // a read burst accepted at cycle t has its first beat valid at cycle t + latency, then one
  // beat per cycle while rready, bursts in order; write beats are taken every cycle and matched
  // with their AW in order; B is valid `latency` cycles after the burst's last beat is matched.
  // A beat touching a byte outside the memory answers SLVERR (and is not written). The outputs
  // are a function of the state, recomputed at each clock edge (no combinational path from
  // the master). Protocol violations of the master are counted, the first one described.
  localparam longint MemBytes = longint'(MemWords) * 8;

  bit [63:0] mem [0:MemWords-1];   // the memory: 2-state, starts zeroed like the C model's
  bit [63:0] chk [0:MemWords-1];   // the expected words, loaded from the files

  int unsigned latency = 20;
  longint unsigned mcyc;           // clock edges since reset (the C model's stats.cycles)

  // read bursts
  logic [63:0] rq_addr [0:MaxReads-1];
  int unsigned rq_len [0:MaxReads-1], rq_beat [0:MaxReads-1];
  logic [2:0] rq_size [0:MaxReads-1];
  logic [1:0] rq_burst [0:MaxReads-1];
  bit rq_err [0:MaxReads-1];
  longint unsigned rq_ready [0:MaxReads-1];
  int unsigned rq_head, rq_n;
  // write bursts awaiting data, then awaiting their response
  logic [63:0] aw_addr [0:MaxWrites-1];
  int unsigned aw_len [0:MaxWrites-1], aw_beat [0:MaxWrites-1];
  logic [2:0] aw_size [0:MaxWrites-1];
  logic [1:0] aw_burst [0:MaxWrites-1], aw_resp [0:MaxWrites-1];
  bit aw_err [0:MaxWrites-1];
  int unsigned awq_head, awq_n;
  longint unsigned bq_ready [0:MaxWrites-1];
  logic [1:0] bq_resp [0:MaxWrites-1];
  int unsigned bq_head, bq_n;
  // write beats that came before their AW
  logic [BeatBits-1:0] wb_data [0:WbufBeats-1];
  logic [63:0] wb_strb [0:WbufBeats-1];
  bit wb_last [0:WbufBeats-1];
  int unsigned wb_head, wb_n;

  // the master's signals and ours at the last edge (the AXI stability rules)
  logic p_arvalid, p_awvalid, p_wvalid, p_arready, p_awready, p_wready;
  logic [63:0] p_araddr, p_awaddr, p_wstrb;
  logic [7:0] p_arlen, p_awlen;
  logic p_wlast;
  logic [BeatBits-1:0] p_wdata;

  longint unsigned stat_read_bursts, stat_read_beats, stat_write_bursts, stat_write_beats;
  longint unsigned stat_write_resps, stat_slverr_beats, stat_protocol_errors;
  longint unsigned last_transfer;  // cycle of the last handshake on any channel
  string first_protocol_error = "";

  // X or Z anywhere in v (Icarus 11's $isunknown of a concatenation wrongly answers 1)
  function bit has_xz(input logic [639:0] v);
    has_xz = (^v) === 1'bx;
  endfunction

  function automatic void protocol_error(input string what);
    if (stat_protocol_errors == 0)
      first_protocol_error = $sformatf("cycle %0d: %s", mcyc, what);
    stat_protocol_errors++;
  endfunction

  function automatic logic [7:0] mem_byte(input longint unsigned a);
    mem_byte = mem[a >> 3][8 * (a & 7) +: 8];
  endfunction

  // Where beat `beat` of a burst lies (C: beat_span): its first byte address, and the bytes
  // from there to the end of its size-aligned transfer; its first lane is address % 64.
  // (Icarus 11 functions take only inputs.)
  function automatic longint unsigned beat_addr(input logic [63:0] addr, input logic [2:0] size,
                                                input logic [1:0] kind,
                                                input int unsigned beat);
    longint unsigned bytes;
    bytes = longint'(1) << size;
    if (kind == 2'd0 || beat == 0) beat_addr = addr;
    else beat_addr = (addr & ~(bytes - 1)) + longint'(beat) * bytes;
  endfunction

  function automatic int unsigned beat_bytes(input longint unsigned a, input logic [2:0] size);
    longint unsigned bytes;
    bytes = longint'(1) << size;
    beat_bytes = ((a & ~(bytes - 1)) + bytes) - a;
  endfunction

  function automatic bit beat_in_range(input logic [63:0] addr, input logic [2:0] size,
                                       input logic [1:0] kind, input bit err,
                                       input int unsigned beat);
    longint unsigned a;
    int unsigned n;
    beat_in_range = 1'b0;
    if (!err) begin
      a = beat_addr(addr, size, kind, beat);
      n = beat_bytes(a, size);
      beat_in_range = a < MemBytes && n <= MemBytes - a;
    end
  endfunction

  // A new burst from an AR or AW handshake: the AXI rules and the accelerator's contract
  // (docs/architecture.md: INCR, full aligned 64-byte beats, at most 64, no 4 KB crossing).
  task automatic new_burst(input string ch, input logic [63:0] addr, input logic [7:0] len,
                           input logic [2:0] size, input logic [1:0] kind,
                           output logic [2:0] size_o, output bit err);
    longint unsigned last;
    err = 1'b0;
    size_o = size;
    if (has_xz({addr, len, size, kind})) begin
      protocol_error($sformatf("%s burst with X/Z in its address or control", ch));
      err = 1'b1;
      size_o = 3'd0;
    end else if (size > 3'(ak_pkg::BeatBytesLog2) || kind > 2'd1) begin
      protocol_error($sformatf("%s burst at 0x%h: size %0d, burst type %0d unsupported", ch,
                               addr, size, kind));
      err = 1'b1;
      size_o = 3'd0;
    end else begin
      last = (kind == 2'd1) ? (addr & ~((longint'(1) << size) - 1)) +
                                  (longint'(len) + 1) * (longint'(1) << size) - 1
                            : addr;
      if (kind == 2'd1 && (addr >> 12) != (last >> 12))
        protocol_error($sformatf("%s burst 0x%h+%0d beats crosses a 4 KB boundary", ch, addr,
                                 len + 1));
      else if (kind != 2'd1 || size != 3'(ak_pkg::BeatBytesLog2) || addr % BeatBytes != 0 || len > 63)
        protocol_error($sformatf(
            "%s burst 0x%h len %0d size %0d type %0d: not INCR of aligned full beats, <= 64",
            ch, addr, len, size, kind));
    end
  endtask

  // Writes the buffered beat at wb_head into the write burst at awq_head (C: write_beat).
  task automatic write_beat;
    int unsigned x, w, lane, n;
    longint unsigned a, b;
    bit [63:0] word;
    x = awq_head;
    w = wb_head;
    stat_write_beats++;
    if (!beat_in_range(aw_addr[x], aw_size[x], aw_burst[x], aw_err[x], aw_beat[x])) begin
      aw_resp[x] = 2'b10;
      stat_slverr_beats++;
    end else begin
      a = beat_addr(aw_addr[x], aw_size[x], aw_burst[x], aw_beat[x]);
      lane = a % BeatBytes;
      n = beat_bytes(a, aw_size[x]);
      for (int i = 0; i < n; i++)
        if (wb_strb[w][lane + i]) begin
          b = a + i;
          if (has_xz(wb_data[w][8 * (lane + i) +: 8]))
            protocol_error($sformatf("write burst 0x%h: X/Z in a strobed byte (address 0x%h)",
                                     aw_addr[x], b));
          word = mem[b >> 3];  // (vvp 11 asserts on a part-select write into an array word)
          word[8 * (b & 7) +: 8] = wb_data[w][8 * (lane + i) +: 8];
          mem[b >> 3] = word;
        end
    end
    if (wb_last[w] != (aw_beat[x] == aw_len[x]))
      protocol_error($sformatf("write burst 0x%h: wlast=%0d on beat %0d of %0d", aw_addr[x],
                               wb_last[w], aw_beat[x] + 1, aw_len[x] + 1));
    aw_beat[x]++;
  endtask

  // The slave's outputs for the current state (C: compute).
  logic         o_arready, o_rvalid, o_rlast, o_awready, o_wready, o_bvalid;
  logic [1:0]   o_rresp, o_bresp;
  logic [BeatBits-1:0] o_rdata;

  task automatic compute;
    int unsigned h, lane, n;
    longint unsigned a;
    bit ok;
    o_arready = rq_n < MaxReads;
    o_rvalid = 1'b0;
    o_rlast = 1'b0;
    o_rresp = 2'b00;
    o_rdata = '0;
    if (rq_n != 0) begin
      h = rq_head;
      if (mcyc >= rq_ready[h]) begin
        ok = beat_in_range(rq_addr[h], rq_size[h], rq_burst[h], rq_err[h], rq_beat[h]);
        o_rvalid = 1'b1;
        o_rlast = rq_beat[h] == rq_len[h];
        o_rresp = ok ? 2'b00 : 2'b10;
        if (ok) begin
          a = beat_addr(rq_addr[h], rq_size[h], rq_burst[h], rq_beat[h]);
          lane = a % BeatBytes;
          n = beat_bytes(a, rq_size[h]);
          if (lane == 0 && n == BeatBytes)
            for (int i = 0; i < BeatBytes / 8; i++) o_rdata[64 * i +: 64] = mem[(a >> 3) + i];
          else
            for (int i = 0; i < n; i++) o_rdata[8 * (lane + i) +: 8] = mem_byte(a + i);
        end
      end
    end
    o_awready = awq_n + bq_n < MaxWrites;
    o_wready = wb_n < WbufBeats;
    o_bvalid = 1'b0;
    o_bresp = 2'b00;
    if (bq_n != 0 && mcyc >= bq_ready[bq_head]) begin
      o_bvalid = 1'b1;
      o_bresp = bq_resp[bq_head];
    end
  endtask

  task automatic mem_reset;
    rq_head = 0; rq_n = 0; awq_head = 0; awq_n = 0; bq_head = 0; bq_n = 0;
    wb_head = 0; wb_n = 0;
    mcyc = 0;
    p_arvalid = 1'b0; p_awvalid = 1'b0; p_wvalid = 1'b0;
    p_arready = 1'b0; p_awready = 1'b0; p_wready = 1'b0;
    p_araddr = '0; p_awaddr = '0; p_wstrb = '0; p_arlen = '0; p_awlen = '0; p_wlast = 1'b0;
    p_wdata = '0;
    last_transfer = 0;
  endtask

  // The clock edge (C: ak_mem_tick): the handshakes of the cycle with the master's signals as
  // they stood before the edge; the state changes; the outputs for the next cycle.
  task automatic mem_tick;
    int unsigned x;
    logic [2:0] sz;
    bit err;
    // outputs of the cycle that ends: those computed at the last edge
    if (has_xz({m_arvalid, m_rready, m_awvalid, m_wvalid, m_bready}))
      protocol_error("X/Z on a valid or ready of the AXI4 master");
    if (m_wvalid === 1'b1 && has_xz({m_wstrb, m_wlast}))
      protocol_error("X/Z on wstrb or wlast while wvalid");
    // AXI: once valid is up and not yet taken, it stays up with the same payload
    if (p_arvalid && !p_arready && (m_arvalid !== 1'b1 || m_araddr !== p_araddr ||
                                    m_arlen !== p_arlen))
      protocol_error("arvalid dropped or AR changed before arready");
    if (p_awvalid && !p_awready && (m_awvalid !== 1'b1 || m_awaddr !== p_awaddr ||
                                    m_awlen !== p_awlen))
      protocol_error("awvalid dropped or AW changed before awready");
    if (p_wvalid && !p_wready && (m_wvalid !== 1'b1 || m_wlast !== p_wlast ||
                                  m_wstrb !== p_wstrb || m_wdata !== p_wdata))
      protocol_error("wvalid dropped or W changed before wready");
    // R first: it only pops the head, the AR push goes to the tail
    if (o_rvalid && m_rready === 1'b1) begin
      stat_read_beats++;
      if (o_rresp != 2'b00) stat_slverr_beats++;
      last_transfer = mcyc;
      if (rq_beat[rq_head] == rq_len[rq_head]) begin
        rq_head = (rq_head + 1) % MaxReads;
        rq_n--;
      end else begin
        rq_beat[rq_head]++;
      end
    end
    if (m_arvalid === 1'b1 && o_arready) begin
      x = (rq_head + rq_n) % MaxReads;
      new_burst("read", m_araddr, m_arlen, m_arsize, m_arburst, sz, err);
      rq_addr[x] = m_araddr; rq_len[x] = m_arlen; rq_beat[x] = 0; rq_size[x] = sz;
      rq_burst[x] = m_arburst; rq_err[x] = err;
      rq_ready[x] = mcyc + latency;
      rq_n++;
      stat_read_bursts++;
      last_transfer = mcyc;
    end
    if (o_bvalid && m_bready === 1'b1) begin
      bq_head = (bq_head + 1) % MaxWrites;
      bq_n--;
      stat_write_resps++;
      last_transfer = mcyc;
    end
    if (m_awvalid === 1'b1 && o_awready) begin
      x = (awq_head + awq_n) % MaxWrites;
      new_burst("write", m_awaddr, m_awlen, m_awsize, m_awburst, sz, err);
      aw_addr[x] = m_awaddr; aw_len[x] = m_awlen; aw_beat[x] = 0; aw_size[x] = sz;
      aw_burst[x] = m_awburst; aw_err[x] = err; aw_resp[x] = 2'b00;
      awq_n++;
      stat_write_bursts++;
      last_transfer = mcyc;
    end
    if (m_wvalid === 1'b1 && o_wready) begin
      x = (wb_head + wb_n) % WbufBeats;
      wb_data[x] = m_wdata; wb_strb[x] = m_wstrb; wb_last[x] = m_wlast;
      wb_n++;
      last_transfer = mcyc;
    end
    // match buffered write beats with the bursts awaiting data, in order
    while (wb_n != 0 && awq_n != 0) begin
      write_beat();
      wb_head = (wb_head + 1) % WbufBeats;
      wb_n--;
      if (aw_beat[awq_head] > aw_len[awq_head]) begin
        x = (bq_head + bq_n) % MaxWrites;
        bq_ready[x] = mcyc + latency;
        bq_resp[x] = aw_resp[awq_head];
        bq_n++;
        awq_head = (awq_head + 1) % MaxWrites;
        awq_n--;
      end
    end
    p_arvalid = m_arvalid === 1'b1; p_awvalid = m_awvalid === 1'b1; p_wvalid = m_wvalid === 1'b1;
    p_arready = o_arready; p_awready = o_awready; p_wready = o_wready;
    p_araddr = m_araddr; p_arlen = m_arlen; p_awaddr = m_awaddr; p_awlen = m_awlen;
    p_wstrb = m_wstrb; p_wlast = m_wlast; p_wdata = m_wdata;
    mcyc++;
  endtask

  // The memory's state changes at the edge with blocking assignments; the DUT sees the new
  // outputs only through these nonblocking copies, so nothing races with its flops.
  always @(posedge clk) begin
    if (!rst_n) mem_reset();
    else mem_tick();
    compute();
    m_arready <= o_arready;
    m_rvalid <= o_rvalid;
    m_rlast <= o_rlast;
    m_rresp <= o_rresp;
    m_rdata <= o_rdata;
    m_awready <= o_awready;
    m_wready <= o_wready;
    m_bvalid <= o_bvalid;
    m_bresp <= o_bresp;
  end

  function automatic int unsigned outstanding;
    outstanding = rq_n + awq_n + bq_n + wb_n;
  endfunction

  // ---- no X or Z on ak_top's outputs --------------------------------------------------------
  // From the first edge with rst_n low on, at every edge: the valids, readys and irq_o always;
  // a channel's payload while its valid is up (W data: the strobed bytes only; CSR R data while
  // rvalid). The first X/Z ends the run (FAIL). (Per signal: Icarus 11's $isunknown of a
  // concatenation is wrong, see has_xz.)
  bit xz_armed = 1'b0;
  string xz_what;
  always @(posedge clk) begin
    if (rst_n === 1'b0) xz_armed <= 1'b1;
    if (xz_armed) begin
      xz_what = "";
      if ($isunknown(s_awready)) xz_what = "s_awready_o";
      else if ($isunknown(s_wready)) xz_what = "s_wready_o";
      else if ($isunknown(s_bvalid)) xz_what = "s_bvalid_o";
      else if ($isunknown(s_arready)) xz_what = "s_arready_o";
      else if ($isunknown(s_rvalid)) xz_what = "s_rvalid_o";
      else if ($isunknown(m_arvalid)) xz_what = "m_arvalid_o";
      else if ($isunknown(m_rready)) xz_what = "m_rready_o";
      else if ($isunknown(m_awvalid)) xz_what = "m_awvalid_o";
      else if ($isunknown(m_wvalid)) xz_what = "m_wvalid_o";
      else if ($isunknown(m_bready)) xz_what = "m_bready_o";
      else if ($isunknown(irq)) xz_what = "irq_o";
      else if (s_bvalid && $isunknown(s_bresp)) xz_what = "s_bresp_o while bvalid";
      else if (s_rvalid && ($isunknown(s_rdata) || $isunknown(s_rresp)))
        xz_what = "s_rdata_o/s_rresp_o while rvalid";
      else if (m_arvalid && ($isunknown(m_araddr) || $isunknown(m_arlen) ||
                             $isunknown(m_arsize) || $isunknown(m_arburst)))
        xz_what = "the AR payload while arvalid";
      else if (m_awvalid && ($isunknown(m_awaddr) || $isunknown(m_awlen) ||
                             $isunknown(m_awsize) || $isunknown(m_awburst)))
        xz_what = "the AW payload while awvalid";
      else if (m_wvalid && ($isunknown(m_wstrb) || $isunknown(m_wlast)))
        xz_what = "wstrb/wlast while wvalid";
      else if (m_wvalid)
        for (int i = 0; i < BeatBytes; i++)
          if (m_wstrb[i] && $isunknown(m_wdata[8 * i +: 8]))
            xz_what = $sformatf("a strobed byte (%0d) of m_wdata_o while wvalid", i);
      if (xz_what != "")
        finish_fail($sformatf("X/Z on %s at memory cycle %0d", xz_what, mcyc));
    end
  end

  // +plant=x_irq or +plant=stray_r (docs/assertions.md): three edges after reset, irq_o is
  // forced to X (the X check above must fail the run), or the memory's rvalid and rlast are
  // forced high with no read in flight (the RTL assertions must end it)
  string plant;
  initial
    if ($value$plusargs("plant=%s", plant)) begin
      @(posedge rst_n);
      repeat (3) @(posedge clk);
      if (plant == "x_irq") begin
        force irq = 1'bx;
      end else if (plant == "stray_r") begin
        force m_rvalid = 1'b1;
        force m_rlast = 1'b1;
      end else begin
        finish_fail($sformatf("+plant=%s: x_irq or stray_r", plant));
      end
    end

  // ---- AXI4-Lite master ---------------------------------------------------------------------
  localparam int CsrTimeout = 1000;
  bit csr_failed = 1'b0;
  string csr_error = "";

  task automatic csr_fail(input string what);
    if (!csr_failed) csr_error = what;
    csr_failed = 1'b1;
  endtask

  task automatic csr_write(input int addr, input logic [31:0] data);
    bit aw_done, w_done;
    int t;
    aw_done = 1'b0;
    w_done = 1'b0;
    s_awaddr <= addr[7:0];
    s_awvalid <= 1'b1;
    s_wdata <= data;
    s_wstrb <= 4'hf;
    s_wvalid <= 1'b1;
    t = 0;
    while (!(aw_done && w_done) && t < CsrTimeout) begin
      @(posedge clk);
      if (s_awvalid && s_awready === 1'b1) begin aw_done = 1'b1; s_awvalid <= 1'b0; end
      if (s_wvalid && s_wready === 1'b1) begin w_done = 1'b1; s_wvalid <= 1'b0; end
      t++;
    end
    s_awvalid <= 1'b0;
    s_wvalid <= 1'b0;
    s_bready <= 1'b1;
    t = 0;
    do begin
      @(posedge clk);
      t++;
    end while (s_bvalid !== 1'b1 && t < CsrTimeout);
    s_bready <= 1'b0;
    if (!(aw_done && w_done) || s_bvalid !== 1'b1)
      csr_fail($sformatf("CSR write 0x%h: no handshake or response in %0d cycles", addr,
                         CsrTimeout));
    else if (s_bresp !== 2'b00)
      csr_fail($sformatf("CSR write 0x%h: response %b", addr, s_bresp));
  endtask

  task automatic csr_read(input int addr, output logic [31:0] data);
    int t;
    s_araddr <= addr[7:0];
    s_arvalid <= 1'b1;
    t = 0;
    do begin
      @(posedge clk);
      t++;
    end while (s_arready !== 1'b1 && t < CsrTimeout);
    s_arvalid <= 1'b0;
    s_rready <= 1'b1;
    t = 0;
    do begin
      @(posedge clk);
      t++;
    end while (s_rvalid !== 1'b1 && t < CsrTimeout);
    s_rready <= 1'b0;
    data = s_rdata;
    if (s_rvalid !== 1'b1)
      csr_fail($sformatf("CSR read 0x%h: no handshake or response in %0d cycles", addr,
                         CsrTimeout));
    else if (s_rresp !== 2'b00)
      csr_fail($sformatf("CSR read 0x%h: response %b", addr, s_rresp));
  endtask

  task automatic csr_read64(input int lo_addr, input int hi_addr, output logic [63:0] data);
    logic [31:0] lo, hi;
    csr_read(lo_addr, lo);
    csr_read(hi_addr, hi);
    data = {hi, lo};
  endtask

  // ---- files ----------------------------------------------------------------------------------
  // Reads a $readmemh file of 64-bit words (one a line) into mem (to_mem) or chk from word
  // `base`; returns the number of words, or -1 if the file cannot be opened, has a line that is
  // not a word or does not fit.
  task automatic load_hex(input string file, input bit to_mem, input longint unsigned base,
                          output longint n);
    int fd, r, len;
    bit [63:0] w;
    reg [8*40-1:0] line;  // Icarus 11: $fgets into a reg, not a string
    n = 0;
    fd = $fopen(file, "r");
    if (fd == 0) begin
      n = -1;
    end else begin
      len = $fgets(line, fd);
      while (n >= 0 && len != 0) begin
        r = $sscanf(line, "%h", w);
        if (r != 1 || len != 17 || line[7:0] != 8'h0a || base + n >= MemWords) begin
          n = -1;
        end else begin
          if (to_mem) mem[base + n] = w;
          else chk[base + n] = w;
          n++;
        end
        len = $fgets(line, fd);
      end
      $fclose(fd);
    end
  endtask

  // ---- the test -------------------------------------------------------------------------------
  string mem_file, expect_file, prune_file, name, vcd_file;
  longint unsigned words, o_word, prune_word, prune_words, desc_addr, max_cycles, idle_limit;
  longint n_loaded;
  logic [31:0] rd, status, err_code, id;
  logic [63:0] cycles_csr, stalls_csr, macs_csr;
  longint unsigned cycles, mismatches, prune_mismatches, stray, first_bad, first_stray;
  bit fail = 1'b0, hang, prune = 1'b0;
  string why;

  // collects the reasons of a failure
  task automatic add_why(input string what);
    if (fail) why = {why, "; ", what};  // (a string ?: crashes vvp 11)
    else why = what;
    fail = 1'b1;
  endtask

  task automatic finish_fail(input string what);
    $display("ak_tb: FAIL %s: %s", name, what);
    $fatal(1, "ak_tb: FAIL");
  endtask

  initial begin
    if (MaxReads < 1 || MaxWrites < 1 || WbufBeats < 1)
      finish_fail("compile with -Pak_tb.MaxReads, MaxWrites, WbufBeats from sim/mem_model.h (sim/icarus/icarus.mk does)");
    if (!$value$plusargs("mem=%s", mem_file)) finish_fail("+mem=FILE missing");
    if (!$value$plusargs("expect=%s", expect_file)) finish_fail("+expect=FILE missing");
    if (!$value$plusargs("words=%d", words)) finish_fail("+words=N missing");
    if (!$value$plusargs("o_word=%d", o_word)) finish_fail("+o_word=N missing");
    if (!$value$plusargs("name=%s", name)) name = mem_file;
    if ($value$plusargs("prune=%s", prune_file)) begin
      prune = 1'b1;
      if (!$value$plusargs("prune_word=%d", prune_word)) finish_fail("+prune_word=N missing (with +prune)");
      if (!$value$plusargs("prune_words=%d", prune_words)) finish_fail("+prune_words=N missing (with +prune)");
      if (prune_word < o_word + words)
        finish_fail($sformatf("+prune_word=%0d is inside mem.hex or o (which end at word %0d)",
                              prune_word, o_word + words));
      if (prune_word + prune_words > MemWords)
        finish_fail($sformatf("the job needs %0d words of memory; MemWords is %0d (recompile with -Pak_tb.MemWords=...)",
                              prune_word + prune_words, MemWords));
    end else begin
      prune_word = 0;
      prune_words = 0;
    end
    if (!$value$plusargs("desc=%d", desc_addr)) desc_addr = 0;
    if (!$value$plusargs("latency=%d", latency)) latency = 20;
    if (!$value$plusargs("max_cycles=%d", max_cycles)) max_cycles = 2000000;
    if (!$value$plusargs("idle_limit=%d", idle_limit)) idle_limit = 20000;
    if (latency < 1) finish_fail("+latency must be at least 1");
    if (o_word + words > MemWords)
      finish_fail($sformatf("the job needs %0d words of memory; MemWords is %0d (recompile with -Pak_tb.MemWords=...)",
                            o_word + words, MemWords));
    if ($value$plusargs("vcd=%s", vcd_file)) begin
      $dumpfile(vcd_file);
      $dumpvars(0, ak_tb);
    end
    load_hex(mem_file, 1'b1, 0, n_loaded);
    if (n_loaded != o_word)
      finish_fail($sformatf("%s: %0d words read, +o_word=%0d expected (or unreadable)", mem_file,
                            n_loaded, o_word));

    // reset: a falling edge for the asynchronous resets, then 5 clock edges
    #1 rst_n = 1'b0;
    repeat (5) @(posedge clk);
    rst_n <= 1'b1;
    repeat (2) @(posedge clk);

    csr_read(ak_csr_pkg::IdOffset, id);
    if (id !== ak_csr_pkg::IdMagicReset)
      csr_fail($sformatf("ID reads 0x%h, expected 0x%h", id, ak_csr_pkg::IdMagicReset));
    csr_write(ak_csr_pkg::DescAddrLoOffset, desc_addr[31:0]);
    csr_write(ak_csr_pkg::DescAddrHiOffset, desc_addr[63:32]);
    rd = '0;
    rd[ak_csr_pkg::CtrlStartLsb] = 1'b1;
    rd[ak_csr_pkg::CtrlIrqEnLsb] = 1'b1;
    csr_write(ak_csr_pkg::CtrlOffset, rd);
    if (csr_failed) finish_fail(csr_error);

    // wait for the interrupt
    cycles = 0;
    hang = 1'b0;
    last_transfer = mcyc;
    while (irq !== 1'b1 && !hang) begin
      @(posedge clk);
      cycles++;
      if (cycles >= max_cycles) begin
        hang = 1'b1;
        why = $sformatf("HANG: no irq_o within the budget of %0d cycles", max_cycles);
      end else if (mcyc - last_transfer > idle_limit) begin
        hang = 1'b1;
        why = $sformatf("HANG: no irq_o after %0d cycles and no AXI4 transfer for the last %0d",
                        cycles, mcyc - last_transfer);
      end
    end
    csr_read(ak_csr_pkg::StatusOffset, status);
    csr_read(ak_csr_pkg::ErrOffset, err_code);
    csr_read64(ak_csr_pkg::CyclesLoOffset, ak_csr_pkg::CyclesHiOffset, cycles_csr);
    csr_read64(ak_csr_pkg::StallsLoOffset, ak_csr_pkg::StallsHiOffset, stalls_csr);
    csr_read64(ak_csr_pkg::MacsLoOffset, ak_csr_pkg::MacsHiOffset, macs_csr);
    if (hang)
      finish_fail($sformatf("%s (STATUS 0x%h, %0d read bursts, %0d write bursts, %0d transactions outstanding)",
                            why, status, stat_read_bursts, stat_write_bursts, outstanding()));
    if (csr_failed) finish_fail(csr_error);

    // the o region against o.hex, and nothing else written
    load_hex(expect_file, 1'b0, o_word, n_loaded);
    if (n_loaded != words)
      finish_fail($sformatf("%s: %0d words read, +words=%0d expected (or unreadable)",
                            expect_file, n_loaded, words));
    mismatches = 0;
    for (longint unsigned w = o_word; w < o_word + words; w++)
      if (mem[w] != chk[w]) begin
        if (mismatches == 0) begin
          first_bad = w;
          $display("ak_tb: %s: first mismatch at word address 0x%h (byte 0x%h): expected %h, actual %h",
                   name, w, w * 8, chk[w], mem[w]);
        end
        mismatches++;
      end
    // the pruning regions against prune.hex
    prune_mismatches = 0;
    if (prune) begin
      load_hex(prune_file, 1'b0, prune_word, n_loaded);
      if (n_loaded != prune_words)
        finish_fail($sformatf("%s: %0d words read, +prune_words=%0d expected (or unreadable)",
                              prune_file, n_loaded, prune_words));
      for (longint unsigned w = prune_word; w < prune_word + prune_words; w++)
        if (mem[w] != chk[w]) begin
          if (prune_mismatches == 0)
            $display("ak_tb: %s: first prune mismatch at word address 0x%h (byte 0x%h): expected %h, actual %h",
                     name, w, w * 8, chk[w], mem[w]);
          prune_mismatches++;
        end
    end
    // and nothing else written (prune_words is 0 without +prune)
    load_hex(mem_file, 1'b0, 0, n_loaded);
    for (longint unsigned w = o_word + words; w < MemWords; w++) chk[w] = '0;
    stray = 0;
    for (longint unsigned w = 0; w < MemWords; w++)
      if ((w < o_word || w >= o_word + words) && (w < prune_word || w >= prune_word + prune_words)
          && mem[w] != chk[w]) begin
        if (stray == 0) first_stray = w;
        stray++;
      end

    why = "";
    if (status[ak_csr_pkg::StatusErrorLsb] !== 1'b0 || status[ak_csr_pkg::StatusDoneLsb] !== 1'b1) begin
      add_why($sformatf("STATUS 0x%h (error %0d, done %0d), ERR.code %0d", status,
                      status[ak_csr_pkg::StatusErrorLsb], status[ak_csr_pkg::StatusDoneLsb],
                      err_code[ak_csr_pkg::ErrCodeLsb +: ak_csr_pkg::ErrCodeWidth]));
    end
    if (mismatches != 0) begin
      add_why($sformatf("%0d of %0d o words differ", mismatches, words));
    end
    if (prune_mismatches != 0) begin
      add_why($sformatf("%0d of %0d prune words differ", prune_mismatches, prune_words));
    end
    if (stray != 0 && prune) begin  // (no string ?: in vvp 11)
      add_why($sformatf("%0d words outside o and the pruning regions changed (the first at byte 0x%h)",
                        stray, first_stray * 8));
    end else if (stray != 0) begin
      add_why($sformatf("%0d words outside o changed (the first at byte 0x%h)", stray,
                        first_stray * 8));
    end
    if (stat_protocol_errors != 0) begin
      add_why($sformatf("%0d AXI4 protocol errors, the first at %s", stat_protocol_errors,
                        first_protocol_error));
    end
    if (stat_slverr_beats != 0) begin
      add_why($sformatf("%0d beats outside the memory (SLVERR)", stat_slverr_beats));
    end
    if (outstanding() != 0) begin
      add_why($sformatf("%0d AXI4 transactions still outstanding at irq_o", outstanding()));
    end
    if (prune)
      $display("ak_tb: %s %s: %0d mismatching words of %0d, %0d mismatching prune words of %0d, CYCLES %0d, STALLS %0d, MACS %0d, irq after %0d cycles, %0d/%0d read bursts/beats, %0d/%0d write bursts/beats",
               fail ? "FAIL" : "PASS", name, mismatches, words, prune_mismatches, prune_words,
               cycles_csr, stalls_csr, macs_csr, cycles, stat_read_bursts, stat_read_beats,
               stat_write_bursts, stat_write_beats);
    else
      $display("ak_tb: %s %s: %0d mismatching words of %0d, CYCLES %0d, STALLS %0d, MACS %0d, irq after %0d cycles, %0d/%0d read bursts/beats, %0d/%0d write bursts/beats",
               fail ? "FAIL" : "PASS", name, mismatches, words, cycles_csr, stalls_csr, macs_csr,
               cycles, stat_read_bursts, stat_read_beats, stat_write_bursts, stat_write_beats);
    if (fail) finish_fail(why);
    $finish;
  end
endmodule
