"""Repeat-frame coding for H.264: all-skip P pictures written directly, x264 headers renumbered.

A reel's picture often stays the same for many frames (a still background while a caption is
shown, an avatar between motion steps). x264 still spends ~4 ms per 1080x1920 frame to find
out that nothing moved. A P picture whose macroblocks are all P_Skip with a zero motion vector
decodes to an exact copy of its reference, and its bitstream does not depend on the picture at
all, so we write it ourselves (ITU-T H.264 sections 7.3.3 and 9.3.4) and only hand x264 the
frames that change.

Inserting our pictures shifts the ``frame_num`` of every later x264 picture, so
:class:`SkipInserter` rewrites that fixed-width slice-header field in place. The scheme needs the
stream shape x264 produces with ``bframes=0:ref=1``: one reference frame, picture order type 2
(order follows ``frame_num``), progressive frames, one slice group, no scaling lists. For
anything else :func:`parse_headers` raises :class:`Unsupported` and the caller encodes repeated
frames with x264 as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.render.h264_cabac import SKIP_FLAG_INIT, CabacEncoder, context_state

_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
_START = re.compile(rb"\x00\x00\x01")
_EPB = re.compile(rb"\x00\x00\x03")
_NEEDS_EPB = re.compile(rb"\x00\x00(?=[\x00-\x03])")

NAL_SLICE = 1
NAL_IDR = 5
NAL_SPS = 7
NAL_PPS = 8


class Unsupported(Exception):
    """The stream uses a feature the skip-picture writer does not handle."""


def split_nals(data: bytes) -> list[bytes]:
    """NAL units (escaped, without start codes) of an Annex B byte string."""
    starts = [m.end() for m in _START.finditer(data)]
    nals = []
    for i, s in enumerate(starts):
        end = starts[i + 1] - 3 if i + 1 < len(starts) else len(data)
        nal = data[s:end]
        nals.append(nal.rstrip(b"\x00") if i + 1 < len(starts) else nal)
    return nals


def unescape(nal: bytes) -> bytes:
    """Remove emulation-prevention bytes."""
    return _EPB.sub(b"\x00\x00", nal)


def escape(raw: bytes) -> bytes:
    """Insert emulation-prevention bytes (7.4.1)."""
    return _NEEDS_EPB.sub(b"\x00\x00\x03", raw)


class BitReader:
    """MSB-first reader over RBSP bytes with Exp-Golomb codes."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.value = int.from_bytes(data, "big")
        self.nbits = len(data) * 8
        self.pos = pos

    def u(self, n: int) -> int:
        if n == 0:
            return 0
        if self.pos + n > self.nbits:
            raise Unsupported("header ends early")
        out = (self.value >> (self.nbits - self.pos - n)) & ((1 << n) - 1)
        self.pos += n
        return out

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise Unsupported("bad Exp-Golomb code")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)


class BitWriter:
    """MSB-first bit writer with Exp-Golomb codes."""

    def __init__(self) -> None:
        self.value = 0
        self.nbits = 0

    def u(self, n: int, v: int) -> None:
        self.value = (self.value << n) | (v & ((1 << n) - 1))
        self.nbits += n

    def ue(self, v: int) -> None:
        v += 1
        n = v.bit_length()
        self.u(2 * n - 1, v)

    def se(self, v: int) -> None:
        self.ue(2 * v - 1 if v > 0 else -2 * v)

    def align(self, bit: int) -> None:
        while self.nbits % 8:
            self.u(1, bit)

    def to_bytes(self) -> bytes:
        assert self.nbits % 8 == 0
        return self.value.to_bytes(self.nbits // 8, "big")


@dataclass(frozen=True)
class StreamHeaders:
    """The parameter-set fields the skip writer and the renumbering need."""

    log2_max_frame_num: int
    width_mbs: int
    height_mbs: int
    pps_id: int
    cabac: bool
    weighted_pred: bool
    pic_init_qp: int
    deblocking_control: bool
    redundant_pic_cnt: bool

    @property
    def max_frame_num(self) -> int:
        return 1 << self.log2_max_frame_num

    @property
    def mbs(self) -> int:
        return self.width_mbs * self.height_mbs


def _parse_sps(rbsp: bytes) -> tuple[int, int, int, int]:
    r = BitReader(rbsp, 8)
    profile = r.u(8)
    r.u(16)  # constraint flags, level
    sps_id = r.ue()
    if profile in _HIGH_PROFILES:
        chroma = r.ue()
        if chroma == 3 and r.u(1):
            raise Unsupported("separate colour planes")
        r.ue()
        r.ue()
        r.u(1)
        if r.u(1):
            raise Unsupported("scaling matrices")
    log2_max_frame_num = r.ue() + 4
    if r.ue() != 2:
        raise Unsupported("picture order count type is not 2 (B-frames enabled?)")
    if r.ue() != 1:
        raise Unsupported("more than one reference frame")
    if r.u(1):
        raise Unsupported("gaps in frame_num allowed")
    width_mbs = r.ue() + 1
    height_mbs = r.ue() + 1
    if not r.u(1):
        raise Unsupported("interlaced coding")
    return sps_id, log2_max_frame_num, width_mbs, height_mbs


def parse_headers(extradata: bytes) -> StreamHeaders:
    """Read the SPS and PPS x264 wrote into the codec's Annex B extradata.

    Raises:
        Unsupported: if the stream is not of the shape the skip writer handles.
    """
    sps: tuple[int, int, int, int] | None = None
    pps: bytes | None = None
    for nal in split_nals(extradata):
        if not nal:
            continue
        kind = nal[0] & 0x1F
        if kind == NAL_SPS:
            if sps is not None:
                raise Unsupported("several sequence parameter sets")
            sps = _parse_sps(unescape(nal))
        elif kind == NAL_PPS:
            if pps is not None:
                raise Unsupported("several picture parameter sets")
            pps = unescape(nal)
    if sps is None or pps is None:
        raise Unsupported("no SPS/PPS in the codec extradata")
    r = BitReader(pps, 8)
    pps_id = r.ue()
    if r.ue() != sps[0]:
        raise Unsupported("PPS refers to another SPS")
    cabac = bool(r.u(1))
    r.u(1)  # bottom_field_pic_order_in_frame_present_flag: frames only
    if r.ue() != 0:
        raise Unsupported("slice groups")
    r.ue()  # num_ref_idx_l0_default_active_minus1: slices override it
    r.ue()
    weighted_pred = bool(r.u(1))
    r.u(2)
    pic_init_qp = 26 + r.se()
    r.se()
    r.se()
    deblocking_control = bool(r.u(1))
    r.u(1)
    redundant = bool(r.u(1))
    return StreamHeaders(
        log2_max_frame_num=sps[1],
        width_mbs=sps[2],
        height_mbs=sps[3],
        pps_id=pps_id,
        cabac=cabac,
        weighted_pred=weighted_pred,
        pic_init_qp=pic_init_qp,
        deblocking_control=deblocking_control,
        redundant_pic_cnt=redundant,
    )


class SkipPictureWriter:
    """Builds the NAL unit of a P picture that repeats its reference exactly."""

    def __init__(self, headers: StreamHeaders) -> None:
        self.h = headers
        self._header_bits = self._header(0).nbits
        self._data = self._slice_data(self._header_bits % 8)

    def _header(self, frame_num: int) -> BitWriter:
        h = self.h
        w = BitWriter()
        w.u(8, 0x40 | NAL_SLICE)  # nal_ref_idc 2: a reference picture, like x264's P frames
        w.ue(0)  # first_mb_in_slice
        w.ue(5)  # slice_type P (all slices of the picture are P)
        w.ue(h.pps_id)
        w.u(h.log2_max_frame_num, frame_num)
        if h.redundant_pic_cnt:
            w.ue(0)
        w.u(1, 1)  # num_ref_idx_active_override_flag
        w.ue(0)  # one reference
        w.u(1, 0)  # ref_pic_list_modification_flag_l0
        if h.weighted_pred:
            w.ue(0)  # luma_log2_weight_denom
            w.ue(0)  # chroma_log2_weight_denom
            w.u(2, 0)  # no explicit weights for reference 0
        w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: sliding window
        if h.cabac:
            w.ue(0)  # cabac_init_idc
        w.se(0)  # slice_qp_delta
        if h.deblocking_control:
            w.ue(1)  # deblocking off: nothing to smooth in a copy
        return w

    def _slice_data(self, offset: int) -> tuple[int, int]:
        """(bits, count) of the slice data that follows a header ending at bit ``offset`` of a byte."""
        w = BitWriter()
        if self.h.cabac:
            while (offset + w.nbits) % 8:
                w.u(1, 1)  # cabac_alignment_one_bit
            cabac = CabacEncoder(w)
            ctx = context_state(*SKIP_FLAG_INIT, self.h.pic_init_qp)
            last = self.h.mbs - 1
            for mb in range(self.h.mbs):
                cabac.decision(ctx, 1)  # mb_skip_flag
                cabac.terminate(1 if mb == last else 0)  # end_of_slice_flag
        else:
            w.ue(self.h.mbs)  # mb_skip_run covering the picture
            w.u(1, 1)  # rbsp_stop_one_bit
        while (offset + w.nbits) % 8:
            w.u(1, 0)
        return w.value, w.nbits

    def nal(self, frame_num: int) -> bytes:
        """The escaped NAL unit (no start code) of a skip picture numbered ``frame_num``."""
        w = self._header(frame_num)
        w.u(self._data[1], self._data[0])
        return escape(w.to_bytes())


def frame_num_position(rbsp_head: bytes) -> int:
    """Bit offset of ``frame_num`` in a slice NAL (the NAL header byte included)."""
    r = BitReader(rbsp_head, 8)
    r.ue()  # first_mb_in_slice
    r.ue()  # slice_type
    r.ue()  # pic_parameter_set_id
    return r.pos


def renumber(nal: bytes, frame_num: int, headers: StreamHeaders) -> bytes:
    """``nal`` (an escaped slice NAL) with its ``frame_num`` replaced.

    Only the first bytes are unescaped and rewritten; the rest is spliced back at a point
    where the escaping state is known (just after a non-zero byte), so long slices cost
    nothing extra.
    """
    cut = 12
    while cut < len(nal) and not (
        nal[cut - 1] != 0 and not (nal[cut - 1] == 3 and nal[cut - 3 : cut - 1] == b"\x00\x00")
    ):
        cut += 1
    head = bytearray(unescape(nal[:cut]))
    pos = frame_num_position(bytes(head))
    n = headers.log2_max_frame_num
    if pos + n > len(head) * 8 - 8:
        raise Unsupported("slice header longer than expected")
    value = int.from_bytes(head, "big")
    shift = len(head) * 8 - pos - n
    value = (value & ~(((1 << n) - 1) << shift)) | (frame_num << shift)
    return escape(value.to_bytes(len(head), "big")) + nal[cut:]


def slice_frame_num(nal: bytes, headers: StreamHeaders) -> int:
    """The ``frame_num`` written in an escaped slice NAL."""
    head = unescape(nal[:16])
    r = BitReader(head, frame_num_position(head))
    return r.u(headers.log2_max_frame_num)


class SkipInserter:
    """Keeps ``frame_num`` consistent while skip pictures are mixed into x264's output."""

    def __init__(self, headers: StreamHeaders) -> None:
        self.h = headers
        self.writer = SkipPictureWriter(headers)
        self.prev_ref = 0

    def skip_packet(self) -> bytes:
        """Annex B bytes of the next repeat picture."""
        self.prev_ref = (self.prev_ref + 1) % self.h.max_frame_num
        return b"\x00\x00\x00\x01" + self.writer.nal(self.prev_ref)

    def fix_packet(self, data: bytes) -> bytes:
        """An x264 access unit renumbered to follow the pictures written so far.

        Raises:
            Unsupported: for a non-reference picture (a repeat cannot copy it).
        """
        nals = split_nals(data)
        slices = [n for n in nals if n and n[0] & 0x1F in (NAL_SLICE, NAL_IDR)]
        if not slices:
            return data
        if slices[0][0] & 0x1F == NAL_IDR:
            self.prev_ref = 0
            return data
        if not slices[0][0] & 0x60:
            raise Unsupported("x264 wrote a non-reference picture")
        self.prev_ref = (self.prev_ref + 1) % self.h.max_frame_num
        if slice_frame_num(slices[0], self.h) == self.prev_ref:
            return data
        out = []
        for nal in nals:
            if nal and nal[0] & 0x1F == NAL_SLICE:
                nal = renumber(nal, self.prev_ref, self.h)
            out.append(b"\x00\x00\x00\x01" + nal)
        return b"".join(out)
