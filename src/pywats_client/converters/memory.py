"""Memory cap of a converter worker process: :func:`set_memory_cap`.

The cap is set inside the worker, before each conversion, so that a file whose conversion
needs more memory fails with ``MemoryError`` in that worker only (the file goes to the
error folder with a reason naming the cap; the service and other files go on).

- POSIX: the soft ``RLIMIT_AS`` (address space) of the worker. It counts virtual memory,
  which is larger than the resident set; the default cap leaves room for that. macOS does
  not enforce ``RLIMIT_AS``: there the cap is not effective.
- Windows: the worker puts itself in a job object with a per-process committed-memory
  limit (``JOB_OBJECT_LIMIT_PROCESS_MEMORY``).

Configured by ``max_converter_memory_mb`` (instance) and ``max_memory_mb`` (one converter);
see :class:`pywats_client.config.ClientConfig`.
"""

from __future__ import annotations

import sys

__all__ = ["DEFAULT_MEMORY_CAP_MB", "MemoryCap", "memory_cap_message", "set_memory_cap"]

#: Default ``max_converter_memory_mb``.
DEFAULT_MEMORY_CAP_MB = 2048


class MemoryCap:
    """A cap in MB and the config key that set it (named in error messages)."""

    __slots__ = ("mb", "key")

    def __init__(self, mb: int, key: str = "max_converter_memory_mb") -> None:
        self.mb = int(mb)
        self.key = key

    def __reduce__(self) -> tuple[object, ...]:
        return (MemoryCap, (self.mb, self.key))

    def __repr__(self) -> str:
        return f"MemoryCap({self.mb}, {self.key!r})"


def memory_cap_message(cap: MemoryCap) -> str:
    """The one-line reason for a conversion that hit ``cap``."""
    return (
        f"memory cap hit: converting this file needed more than {cap.mb} MB "
        f"(the converter worker's cap, set by {cap.key}); raise {cap.key} if the file is genuine"
    )


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    class _IoCounters(ctypes.Structure):
        _fields_ = [
            ("ReadOperationCount", ctypes.c_ulonglong),
            ("WriteOperationCount", ctypes.c_ulonglong),
            ("OtherOperationCount", ctypes.c_ulonglong),
            ("ReadTransferCount", ctypes.c_ulonglong),
            ("WriteTransferCount", ctypes.c_ulonglong),
            ("OtherTransferCount", ctypes.c_ulonglong),
        ]

    class _BasicLimits(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64),
            ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", wintypes.DWORD),
            ("MinimumWorkingSetSize", ctypes.c_size_t),
            ("MaximumWorkingSetSize", ctypes.c_size_t),
            ("ActiveProcessLimit", wintypes.DWORD),
            ("Affinity", ctypes.c_size_t),
            ("PriorityClass", wintypes.DWORD),
            ("SchedulingClass", wintypes.DWORD),
        ]

    class _ExtendedLimits(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", _BasicLimits),
            ("IoInfo", _IoCounters),
            ("ProcessMemoryLimit", ctypes.c_size_t),
            ("JobMemoryLimit", ctypes.c_size_t),
            ("PeakProcessMemoryUsed", ctypes.c_size_t),
            ("PeakJobMemoryUsed", ctypes.c_size_t),
        ]

    _JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9
    _JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
    _job: int | None = None

    def _set_cap(limit_bytes: int | None) -> bool:
        global _job
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        kernel32.CreateJobObjectW.argtypes = [ctypes.c_void_p, wintypes.LPCWSTR]
        kernel32.GetCurrentProcess.restype = wintypes.HANDLE
        kernel32.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
        kernel32.AssignProcessToJobObject.restype = wintypes.BOOL
        kernel32.SetInformationJobObject.argtypes = [wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD]
        kernel32.SetInformationJobObject.restype = wintypes.BOOL
        if _job is None:
            if limit_bytes is None:
                return True
            handle = kernel32.CreateJobObjectW(None, None)
            if not handle:
                return False
            if not kernel32.AssignProcessToJobObject(handle, kernel32.GetCurrentProcess()):
                return False
            _job = int(handle)
        info = _ExtendedLimits()
        if limit_bytes is not None:
            info.BasicLimitInformation.LimitFlags = _JOB_OBJECT_LIMIT_PROCESS_MEMORY
            info.ProcessMemoryLimit = limit_bytes
        return bool(
            kernel32.SetInformationJobObject(
                _job, _JOB_OBJECT_EXTENDED_LIMIT_INFORMATION, ctypes.byref(info), ctypes.sizeof(info)
            )
        )

else:
    import resource

    _hard: int | None = None

    def _set_cap(limit_bytes: int | None) -> bool:
        global _hard
        soft_now, hard = resource.getrlimit(resource.RLIMIT_AS)
        if _hard is None:
            _hard = hard
        wanted = _hard if limit_bytes is None else limit_bytes
        if _hard != resource.RLIM_INFINITY:
            wanted = min(wanted, _hard)
        if wanted == soft_now:
            return True
        try:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
        except (ValueError, OSError):
            return False
        return True


def set_memory_cap(mb: int | None) -> bool:
    """Cap this process's memory at ``mb`` MB (``None`` or ``0``: lift the cap).

    Meant for converter workers; returns False when the platform refused the limit.
    """
    limit = int(mb) * 1024 * 1024 if mb else None
    return _set_cap(limit)
