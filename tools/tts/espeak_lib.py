"""ctypes bindings for the parts of libespeak-ng's ``speak_lib.h`` API we use.

The library shipped by ``espeakng_loader`` keeps process-wide state (one
voice, one set of parameters, one synth callback), so :class:`EspeakLibrary`
is a process singleton whose every call runs under one lock.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tools.tts.base import TTSError

# espeak_AUDIO_OUTPUT: like RETRIEVAL, but espeak_Synth returns only when done.
AUDIO_OUTPUT_SYNCHRONOUS = 2
# espeak_POSITION_TYPE
POS_CHARACTER = 1
# espeak_Synth flags
ESPEAK_CHARS_UTF8 = 1
# espeak_EVENT_TYPE
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
EVENT_SENTENCE = 2
EVENT_END = 5
EVENT_MSG_TERMINATED = 6
# espeak_PARAMETER
PARAM_RATE = 1
PARAM_VOLUME = 2
PARAM_PITCH = 3
PARAM_RANGE = 4
# espeak_ERROR
EE_OK = 0
EE_NOT_FOUND = 2

RATE_MINIMUM = 80
RATE_NORMAL = 175
RATE_MAXIMUM = 450
PITCH_NORMAL = 50
RANGE_NORMAL = 50
VOLUME_NORMAL = 100


class _EventId(ctypes.Union):
    _fields_ = (
        ("number", ctypes.c_int),
        ("name", ctypes.c_char_p),
        ("string", ctypes.c_char * 8),
    )


class EspeakEvent(ctypes.Structure):
    """``espeak_EVENT`` from speak_lib.h."""

    _fields_ = (
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    )


SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(EspeakEvent)
)


@dataclass(frozen=True)
class WordEvent:
    """A spoken word: its 0-based code-point position in the text and start in ms."""

    text_position: int
    length: int
    audio_ms: int


@dataclass
class Capture:
    """Audio and word events collected by the synth callback for one message."""

    chunks: list[bytes] = field(default_factory=list)
    words: list[WordEvent] = field(default_factory=list)
    error: BaseException | None = None

    @property
    def pcm(self) -> bytes:
        """All samples so far as 16-bit native-endian PCM."""
        return b"".join(self.chunks)


class EspeakLibrary:
    """The loaded, initialised libespeak-ng; use :meth:`instance`, never the constructor."""

    _instance: EspeakLibrary | None = None
    _instance_lock = threading.Lock()

    def __init__(self, library_path: str, data_path: str) -> None:
        self.lock = threading.RLock()
        self.data_path = Path(data_path)
        try:
            self._lib = ctypes.CDLL(library_path)
        except OSError as exc:
            raise TTSError(
                f"Cannot load the eSpeak NG library at {library_path}: {exc}. "
                "Reinstall it with `pip install --force-reinstall espeakng-loader`."
            ) from exc
        self._declare()
        rate = self._lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 0, str(self.data_path).encode(), 0
        )
        if rate <= 0:
            raise TTSError(
                f"eSpeak NG failed to start with data at {self.data_path}. "
                "Reinstall it with `pip install --force-reinstall espeakng-loader`."
            )
        self.sample_rate: int = rate
        self._capture: Capture | None = None
        # Kept on the instance so the C side never calls a collected function.
        self._callback = SynthCallback(self._on_synth)
        self._lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def instance(cls) -> EspeakLibrary:
        """The process-wide library, loaded and initialised on first use.

        Raises:
            TTSError: ``espeakng_loader`` is missing or its library cannot start.
        """
        with cls._instance_lock:
            if cls._instance is None:
                try:
                    import espeakng_loader
                except ImportError as exc:
                    raise TTSError(
                        "The offline speech engine needs the espeakng-loader package: "
                        "run `pip install espeakng-loader`."
                    ) from exc
                cls._instance = cls(
                    espeakng_loader.get_library_path(), espeakng_loader.get_data_path()
                )
            return cls._instance

    def _declare(self) -> None:
        lib = self._lib
        lib.espeak_Initialize.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = (SynthCallback,)
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = (ctypes.c_char_p,)
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int)
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = (
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.c_void_p,
        )
        lib.espeak_Synth.restype = ctypes.c_int

    def _on_synth(self, wav: ctypes._Pointer, count: int, events: ctypes._Pointer) -> int:
        capture = self._capture
        if capture is None:
            return 1
        try:
            if wav and count > 0:
                capture.chunks.append(ctypes.string_at(wav, count * ctypes.sizeof(ctypes.c_short)))
            index = 0
            while events and events[index].type != EVENT_LIST_TERMINATED:
                event = events[index]
                if event.type == EVENT_WORD:
                    capture.words.append(
                        WordEvent(event.text_position - 1, event.length, event.audio_position)
                    )
                index += 1
        except Exception as exc:  # an exception must not cross into C
            capture.error = exc
            return 1
        return 0

    def set_voice(self, name: str) -> bool:
        """Select a voice by eSpeak name (``en-us``, ``es``, ``en-us+f3``); False if unknown."""
        with self.lock:
            return bool(self._lib.espeak_SetVoiceByName(name.encode()) == EE_OK)

    def set_parameter(self, parameter: int, value: int) -> None:
        """Set one ``espeak_PARAMETER`` to an absolute value."""
        with self.lock:
            self._lib.espeak_SetParameter(parameter, value, 0)

    def synthesize(self, text: str) -> Capture:
        """Speak UTF-8 ``text`` with the current voice and parameters.

        Callers hold :attr:`lock` across voice selection and this call.

        Raises:
            TTSError: eSpeak NG reported a failure.
        """
        data = text.encode("utf-8") + b"\0"
        capture = Capture()
        with self.lock:
            self._capture = capture
            try:
                status = self._lib.espeak_Synth(
                    data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None
                )
            finally:
                self._capture = None
        if capture.error is not None:
            raise TTSError(f"eSpeak NG audio capture failed: {capture.error}") from capture.error
        if status != EE_OK:
            raise TTSError(f"eSpeak NG could not speak this text (error code {status}).")
        return capture
