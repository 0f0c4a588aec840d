// A simple TLM-2.0 memory target: a byte array behind a tlm_utils::simple_target_socket.
// b_transport reads and writes (byte enables honoured), answers TLM_ADDRESS_ERROR_RESPONSE for
// any byte outside [0, size), TLM_BURST_ERROR_RESPONSE for a streaming width below the length,
// and grants DMI (read and write) over the whole array unless told not to. It annotates no
// delay of its own by default: the memory's timing (latency, bandwidth) is a parameter of the
// accelerator model's cycle model, which already counts it (docs/systemc.md).
#ifndef AK_TLM_MEMORY_H
#define AK_TLM_MEMORY_H

#include <cstdint>
#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

class ak_tlm_memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<ak_tlm_memory> socket;

    struct stats_t {
        uint64_t transactions;  // b_transport calls
        uint64_t errors;        // answered with an error response
        uint64_t dmi_grants;    // get_direct_mem_ptr calls granted
    };

    // size: bytes (> 0); access_delay: added to every b_transport's delay.
    ak_tlm_memory(sc_core::sc_module_name name, uint64_t size,
                  sc_core::sc_time access_delay = sc_core::SC_ZERO_TIME);

    uint64_t size() const { return size_; }
    uint8_t *data() { return mem_.get(); }
    // Backdoor (no time, no transaction); false if [addr, addr + n) is not inside.
    bool write(uint64_t addr, const void *src, uint64_t n);
    bool read(uint64_t addr, void *dst, uint64_t n) const;
    // New contents: size bytes of zeros. Invalidates every DMI pointer handed out.
    bool resize(uint64_t size);
    void set_dmi(bool allowed);
    void set_access_delay(const sc_core::sc_time &t) { delay_ = t; }
    const stats_t &stats() const { return stats_; }
    void clear_stats() { stats_ = stats_t{}; }

private:
    struct free_deleter {
        void operator()(uint8_t *p) const;
    };
    std::unique_ptr<uint8_t[], free_deleter> mem_;
    uint64_t size_ = 0;
    bool dmi_ = true;
    sc_core::sc_time delay_;
    stats_t stats_{};

    bool inside(uint64_t addr, uint64_t n) const { return n <= size_ && addr <= size_ - n; }
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload &gp, tlm::tlm_dmi &dmi);
    unsigned int transport_dbg(tlm::tlm_generic_payload &gp);
    // the access of gp without timing; sets the response status; returns bytes moved
    unsigned int access(tlm::tlm_generic_payload &gp);
};

#endif
