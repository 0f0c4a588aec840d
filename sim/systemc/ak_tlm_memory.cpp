// The TLM-2.0 memory target (ak_tlm_memory.h).
#include "ak_tlm_memory.h"

#include <cstdlib>
#include <cstring>

void ak_tlm_memory::free_deleter::operator()(uint8_t *p) const
{
    std::free(p);
}

ak_tlm_memory::ak_tlm_memory(sc_core::sc_module_name name, uint64_t size,
                             sc_core::sc_time access_delay)
    : sc_core::sc_module(name), socket("socket"), delay_(access_delay)
{
    socket.register_b_transport(this, &ak_tlm_memory::b_transport);
    socket.register_get_direct_mem_ptr(this, &ak_tlm_memory::get_direct_mem_ptr);
    socket.register_transport_dbg(this, &ak_tlm_memory::transport_dbg);
    resize(size);
}

bool ak_tlm_memory::resize(uint64_t size)
{
    if (size_)
        socket->invalidate_direct_mem_ptr(0, ~0ull);
    // calloc: untouched pages stay unallocated, so a large memory costs nothing until used
    uint8_t *p = size ? static_cast<uint8_t *>(std::calloc(size, 1)) : nullptr;
    if (!p || !size) {
        mem_.reset();
        size_ = 0;
        return size == 0;
    }
    mem_.reset(p);
    size_ = size;
    return true;
}

void ak_tlm_memory::set_dmi(bool allowed)
{
    if (dmi_ && !allowed && size_)
        socket->invalidate_direct_mem_ptr(0, ~0ull);
    dmi_ = allowed;
}

bool ak_tlm_memory::write(uint64_t addr, const void *src, uint64_t n)
{
    if (!inside(addr, n))
        return false;
    if (n)
        std::memcpy(mem_.get() + addr, src, n);
    return true;
}

bool ak_tlm_memory::read(uint64_t addr, void *dst, uint64_t n) const
{
    if (!inside(addr, n))
        return false;
    if (n)
        std::memcpy(dst, mem_.get() + addr, n);
    return true;
}

unsigned int ak_tlm_memory::access(tlm::tlm_generic_payload &gp)
{
    const tlm::tlm_command cmd = gp.get_command();
    const uint64_t addr = gp.get_address();
    const unsigned int len = gp.get_data_length();
    unsigned char *ptr = gp.get_data_ptr();
    const unsigned char *be = gp.get_byte_enable_ptr();
    const unsigned int be_len = gp.get_byte_enable_length();
    if (cmd == tlm::TLM_IGNORE_COMMAND) {
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return 0;
    }
    if (!inside(addr, len)) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    if (gp.get_streaming_width() < len) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return 0;
    }
    if (be && be_len == 0) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return 0;
    }
    uint8_t *m = mem_.get() + addr;
    if (cmd == tlm::TLM_READ_COMMAND) {
        if (!be) {
            std::memcpy(ptr, m, len);
        } else {
            for (unsigned int i = 0; i < len; i++)
                if (be[i % be_len] == TLM_BYTE_ENABLED)
                    ptr[i] = m[i];
        }
    } else {
        if (!be) {
            std::memcpy(m, ptr, len);
        } else {
            for (unsigned int i = 0; i < len; i++)
                if (be[i % be_len] == TLM_BYTE_ENABLED)
                    m[i] = ptr[i];
        }
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return len;
}

void ak_tlm_memory::b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay)
{
    stats_.transactions++;
    access(gp);
    if (gp.is_response_error())
        stats_.errors++;
    else if (dmi_)
        gp.set_dmi_allowed(true);
    delay += delay_;
}

bool ak_tlm_memory::get_direct_mem_ptr(tlm::tlm_generic_payload &gp, tlm::tlm_dmi &dmi)
{
    if (!dmi_ || !size_ || gp.get_address() >= size_) {
        // deny: the whole address space is one region we do not grant
        dmi.allow_read_write();
        dmi.set_start_address(0);
        dmi.set_end_address(~0ull);
        dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
        return false;
    }
    stats_.dmi_grants++;
    dmi.set_dmi_ptr(mem_.get());
    dmi.set_start_address(0);
    dmi.set_end_address(size_ - 1);
    dmi.allow_read_write();
    dmi.set_read_latency(delay_);
    dmi.set_write_latency(delay_);
    return true;
}

unsigned int ak_tlm_memory::transport_dbg(tlm::tlm_generic_payload &gp)
{
    return access(gp);
}
