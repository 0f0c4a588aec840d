// ak_topk: the top-k selection of docs/numerics.md section 11.2 (and 11.3) by bisection on the
// score, over a stream of candidate scores read again for every pass: no score buffer, so N is
// bounded only by the counters (N <= 2^(CountBits-1)).
//   kept = the k highest scores among the N candidates, equal scores to the lower index,
// reported in candidate (ascending index) order as one keep flag per candidate.
// A job: start_i with k_i, n_i (the stream's length), cand_i (how many of them are candidates)
// and top_bit_i (no score has a bit above it). The unit then asks for passes over the N scores
// (pass_o for one cycle); the environment streams them in index order, Lanes a beat (beat_i,
// lane l of beat b is entry b*Lanes + l; lanes past N are ignored), with any gaps
// (beat_valid_i), and elig_i marks the lanes that are candidates (the others are never counted
// nor kept). 0 < k < cand takes top_bit + 3 passes:
//   - top_bit + 1 bisection passes, most significant bit first: t is the largest value with at
//     least k scores >= t, built bit by bit (a pass counts the scores >= t | 2^b);
//   - one pass counting the scores > t (they are all kept; `quota` = k minus them is the number
//     of scores equal to t to keep, the first ones in index order);
//   - the select pass: keep_o[l] for each lane of each beat (valid with the beat: select_o is
//     high through that pass), score > t, or score == t among the first `quota` of them.
// k = 0 and k >= cand take the select pass only (nothing kept, every candidate kept); N = 0
// none.
// done_o pulses one cycle after the select pass's last beat (after start_i when N = 0). Cycles: passes x (beats + 1) with a beat a cycle.
// abort_i (the job was aborted) ends a selection at once: back to Idle, ready for the next start.
module ak_topk #(
  parameter int ScoreBits = 32,  // unsigned scores
  parameter int Lanes     = ak_pkg::BeatBits / ScoreBits,  // scores a beat (one AXI beat)
  parameter int CountBits = 18   // candidates and counts: N <= 2^(CountBits-1)
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  input  logic                           start_i,
  input  logic                           abort_i,       // back to idle at once (no done_o)
  input  logic [CountBits-1:0]           k_i,
  input  logic [CountBits-1:0]           n_i,
  input  logic [CountBits-1:0]           cand_i,
  input  logic [$clog2(ScoreBits+1)-1:0] top_bit_i,
  output logic                           busy_o,
  output logic                           pass_o,        // stream the N scores again, from 0
  input  logic                           beat_valid_i,
  input  logic [Lanes*ScoreBits-1:0]   beat_i,        // lane l at [l*ScoreBits +: ScoreBits]
  input  logic [Lanes-1:0]               elig_i,        // candidate lanes of this beat
  output logic                           select_o,      // this pass is the select pass
  output logic [Lanes-1:0]               keep_o,        // with each beat of the select pass
  output logic                           done_o
);
  localparam int BitBits  = $clog2(ScoreBits + 1);
  localparam int LaneBits = $clog2(Lanes + 1);

  typedef enum logic [1:0] {Idle, Bisect, CountAbove, Select} phase_e;

  phase_e                 phase_q;
  logic                   pass_wait_q;   // pass_o given, the pass has not ended
  logic [BitBits-1:0]     bit_q;         // the bit a bisection pass decides
  logic [ScoreBits-1:0]   t_q;           // the threshold found so far
  logic [CountBits-1:0]   k_q, n_q;
  logic [CountBits-1:0]   seen_q;        // candidates of this pass so far
  logic [CountBits-1:0]   count_q;       // this pass's count
  logic [CountBits-1:0]   quota_q;       // scores equal to t still to keep (Select)
  logic                   take_all_q, take_none_q;

  // the value a bisection pass tests
  logic [ScoreBits-1:0] probe;
  assign probe = t_q | (ScoreBits'(1) << bit_q);

  // lanes of this beat that hold candidates
  logic [CountBits-1:0] left;
  logic [Lanes-1:0]     lane_valid;
  assign left = n_q - seen_q;
  always_comb begin
    for (int l = 0; l < Lanes; l++)
      lane_valid[l] = CountBits'(l) < left && elig_i[l];
  end

  // per lane: counted by this pass, above t, equal to t
  logic [Lanes-1:0] counted, above, equal;
  always_comb begin
    for (int l = 0; l < Lanes; l++) begin
      above[l] = lane_valid[l] && beat_i[l*ScoreBits +: ScoreBits] > t_q;
      equal[l] = lane_valid[l] && beat_i[l*ScoreBits +: ScoreBits] == t_q;
      counted[l] = phase_q == Bisect ? lane_valid[l] && beat_i[l*ScoreBits +: ScoreBits] >= probe
                                     : above[l];
    end
  end

  logic [LaneBits-1:0] beat_count;
  always_comb begin
    beat_count = '0;
    for (int l = 0; l < Lanes; l++)
      beat_count = beat_count + LaneBits'(counted[l]);
  end

  // the select pass: the equal lanes are kept in lane order while the quota lasts
  logic [LaneBits-1:0] equal_before;
  logic [LaneBits-1:0] equal_kept;
  always_comb begin
    equal_before = '0;
    equal_kept = '0;
    for (int l = 0; l < Lanes; l++) begin
      keep_o[l] = 1'b0;
      if (take_all_q)
        keep_o[l] = lane_valid[l];
      else if (!take_none_q)
        keep_o[l] = above[l] || (equal[l] && CountBits'(equal_before) < quota_q);
      if (equal[l] && CountBits'(equal_before) < quota_q)
        equal_kept = equal_kept + LaneBits'(1);
      equal_before = equal_before + LaneBits'(equal[l]);
    end
  end

  logic last_beat;
  assign last_beat = beat_valid_i && CountBits'(Lanes) >= left;

  assign busy_o = phase_q != Idle;
  assign select_o = phase_q == Select;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q <= Idle;
      pass_wait_q <= 1'b0;
      bit_q <= '0;
      t_q <= '0;
      k_q <= '0;
      n_q <= '0;
      seen_q <= '0;
      count_q <= '0;
      quota_q <= '0;
      take_all_q <= 1'b0;
      take_none_q <= 1'b0;
      pass_o <= 1'b0;
      done_o <= 1'b0;
    end else if (abort_i) begin
      phase_q <= Idle;
      pass_wait_q <= 1'b0;
      pass_o <= 1'b0;
      done_o <= 1'b0;
    end else begin
      pass_o <= 1'b0;
      done_o <= 1'b0;
      if (phase_q == Idle) begin
        if (start_i && n_i == '0) begin
          done_o <= 1'b1;  // no candidates: nothing to read
        end else if (start_i) begin
          k_q <= k_i;
          n_q <= n_i;
          t_q <= '0;
          bit_q <= top_bit_i;
          take_none_q <= k_i == '0;
          take_all_q <= k_i >= cand_i;
          phase_q <= k_i == '0 || k_i >= cand_i ? Select : Bisect;
          seen_q <= '0;
          count_q <= '0;
          quota_q <= '0;
          pass_o <= 1'b1;
          pass_wait_q <= 1'b1;
        end
      end else if (pass_wait_q && beat_valid_i) begin
        seen_q <= seen_q + CountBits'(Lanes);
        count_q <= count_q + CountBits'(beat_count);
        if (phase_q == Select)
          quota_q <= quota_q - CountBits'(equal_kept);
        if (last_beat) begin
          // the pass ends: decide, then ask for the next one (or finish)
          seen_q <= '0;
          count_q <= '0;
          pass_wait_q <= 1'b0;
          case (phase_q)
            Bisect: begin
              if (count_q + CountBits'(beat_count) >= k_q)
                t_q <= probe;
              if (bit_q == '0)
                phase_q <= CountAbove;
              else
                bit_q <= bit_q - BitBits'(1);
            end
            CountAbove: begin
              quota_q <= k_q - (count_q + CountBits'(beat_count));
              phase_q <= Select;
            end
            default: begin // Select
              phase_q <= Idle;
              done_o <= 1'b1;
            end
          endcase
        end
      end else if (!pass_wait_q) begin
        pass_o <= 1'b1;
        pass_wait_q <= 1'b1;
      end
    end
  end
endmodule
