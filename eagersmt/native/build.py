"""Compile ``share.cpp`` once per user into a cache, and load it (``library``).

The shim calls CaDiCaL 1.9.5's C++ API inside python-sat's ``pysolvers`` extension (which
exports it as ``CaDiCaL195::``): that extension is re-opened ``RTLD_GLOBAL`` so that the
shim's references resolve to it, after checking at run time that every symbol the shim
needs is there and that python-sat's version is in the tested range (``PYSAT_TESTED``).
The library goes to ``$XDG_CACHE_HOME/eagersmt/native`` (default ``~/.cache``), named by a
checksum of the source, the flags, Python's version (``load_start`` uses its C API) and
python-sat's, written under a temporary name and renamed (two processes building at once both
succeed).  The name does not depend on the compiler: a library built once serves until one of
those changes, and loading a built one runs no compiler and imports neither ``hashlib`` nor
``importlib.resources`` (the solve path loads it: ``backends.base.native_library``).
``$EAGERSMT_NATIVE=0`` turns it off (``root``: on, importing at decision level 0 only,
``share.NativeShare``), as do a missing ``g++`` or ``$CXX`` (when nothing is cached), a
failed build, an untested python-sat: ``library()`` then returns the reason as a string,
sharing runs at slice boundaries, and the solve path takes its Python ways.

The same cache builds ``smtparse.c``, the compiled SMT-LIB front end, as a CPython extension
(``extension``; ``$CC`` or ``cc``, and Python's headers): loaded by ``smtlib.parser``,
whose Python parser runs without it (no compiler, no headers, a failed build, or
``$EAGERSMT_PARSER=python``).  A cached build loads with ``_imp`` (``importlib`` itself is
not imported on the solve path).

Cost: one ``g++`` run (about a second) per user and version, then ``ctypes`` and a
``dlopen``; the extension, one ``cc`` run, then a ``dlopen``.
"""

from __future__ import annotations

import os
import sys
import zlib
from types import ModuleType
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    import ctypes  # (imported where used: the compiled parser's loading does without it)

ENV_VAR = "EAGERSMT_NATIVE"
# python-sat releases whose CaDiCaL 1.9.5 this shim was run against (the class layouts it
# declares are that CaDiCaL's); outside them the slice-boundary path runs.
PYSAT_TESTED = ("1.9.dev24",)
FLAGS = ("-O2", "-std=c++11", "-shared", "-fPIC", "-fno-rtti", "-pthread")
C_FLAGS = ("-O2", "-shared", "-fPIC")  # CPython extensions (``extension``)
# What share.cpp calls, as python-sat's extension exports it (Itanium C++ ABI names).
SYMBOLS = (
    "_ZN10CaDiCaL1956Solver3addEi",
    "_ZN10CaDiCaL1956Solver6assumeEi",
    "_ZN10CaDiCaL1956Solver5solveEv",
    "_ZN10CaDiCaL1956Solver3valEi",
    "_ZN10CaDiCaL1956Solver9terminateEv",
    "_ZN10CaDiCaL1956Solver5limitEPKci",
    "_ZN10CaDiCaL1956Solver6freezeEi",
    "_ZN10CaDiCaL1956Solver15connect_learnerEPNS_7LearnerE",
    "_ZN10CaDiCaL1956Solver18disconnect_learnerEv",
    "_ZN10CaDiCaL1956Solver27connect_external_propagatorEPNS_18ExternalPropagatorE",
    "_ZN10CaDiCaL1956Solver30disconnect_external_propagatorEv",
    "_ZN10CaDiCaL1956Solver16add_observed_varEi",
)

_loaded: Union[ctypes.CDLL, str, None] = None
_extensions: dict[str, Union[ModuleType, str]] = {}


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "eagersmt", "native")


def compiler(var: str = "CXX", default: str = "g++") -> str:
    """The compiler to use ('' if none): ``$CXX`` (``var``), else ``g++`` (``default``) on PATH."""
    import shutil

    cc = os.environ.get(var) or default
    return shutil.which(cc) or ""


def source(name: str = "share.cpp") -> bytes:
    with open(os.path.join(os.path.dirname(__file__), name), "rb") as f:
        return f.read()


def pysolvers_global() -> Union[ctypes.CDLL, str]:
    """python-sat's extension re-opened ``RTLD_GLOBAL`` with every symbol of ``SYMBOLS``
    checked, or why not."""
    try:
        import pysat
        import pysolvers
    except ImportError as e:
        return f"python-sat is not importable ({e})"
    import ctypes

    version = getattr(pysat, "__version__", "?")
    if version not in PYSAT_TESTED:
        return f"python-sat {version} is not a tested release ({', '.join(PYSAT_TESTED)})"
    try:
        lib = ctypes.CDLL(pysolvers.__file__, mode=ctypes.RTLD_GLOBAL)
    except OSError as e:
        return f"python-sat's extension cannot be re-opened ({e})"
    missing = [s for s in SYMBOLS if not hasattr(lib, s)]
    if missing:
        return f"python-sat's extension lacks {len(missing)} CaDiCaL symbols ({missing[0]})"
    return lib


def build(cxx: str, text: bytes, path: str, *, name: str = "share.cpp",
          flags: tuple[str, ...] = FLAGS) -> str:
    """Compile ``text`` (the source ``name``) with ``cxx`` and ``flags`` into ``path``; '' or
    the compiler's complaint."""
    import subprocess
    import sysconfig
    import tempfile

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(path)) as tmp:
        src = os.path.join(tmp, name)
        with open(src, "wb") as f:
            f.write(text)
        out = os.path.join(tmp, "out.so")
        include = "-I" + sysconfig.get_path("include")
        try:
            r = subprocess.run([cxx, *flags, include, src, "-o", out], capture_output=True,
                               text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"{cxx} did not run ({e})"
        if r.returncode != 0:
            first = (r.stderr.strip().splitlines() or [f"exit code {r.returncode}"])[0]
            return f"{cxx} failed: {first}"
        os.replace(out, path)
    return ""


def library() -> Union[ctypes.CDLL, str]:
    """The loaded shim (built first if needed), or the reason why there is none (cached:
    the answer is the same for the life of the process)."""
    global _loaded
    if _loaded is None:
        _loaded = _load()
    return _loaded


def _load() -> Union[ctypes.CDLL, str]:
    if os.environ.get(ENV_VAR, "1") == "0":
        return f"turned off (${ENV_VAR}=0)"
    host = pysolvers_global()
    if isinstance(host, str):
        return host
    text = source()
    import pysat

    key = b"\0".join([text, pysat.__version__.encode(), " ".join(FLAGS).encode(),
                      sys.version.encode()])
    path = os.path.join(cache_dir(), f"share-{zlib.crc32(key):08x}-{len(key):x}.so")
    if not os.path.exists(path):
        cxx = compiler()
        if not cxx:
            return "no C++ compiler (g++, or $CXX) found"
        try:
            why = build(cxx, text, path)
        except OSError as e:
            why = f"cannot write {cache_dir()} ({e})"
        if why:
            return why
    import ctypes

    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        return f"the built shim does not load ({e})"
    declare(lib)
    return lib


def declare(lib: Any) -> None:
    """The shim's C functions' types (``share.cpp``, its ``extern "C"`` part)."""
    import ctypes

    p, i, n = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
    ip = ctypes.POINTER(ctypes.c_int)
    for name, args, res in (
            ("share_new", [p, i, i, i, i], p),
            ("share_delete", [p], None),
            ("share_import", [p, ip, n], None),
            ("share_take", [p], n),
            ("share_copy", [p, ip], None),
            ("share_counters", [p, ctypes.POINTER(ctypes.c_int64)], None),
            ("share_solve", [p, ip, n, i], i),
            ("share_terminate", [p], None),
            ("share_model", [p, i, ip], None)):
        f = getattr(lib, name)
        f.argtypes, f.restype = args, res
    lib.dimacs_join.argtypes, lib.dimacs_join.restype = [p], i
    lib.load_join.argtypes, lib.load_join.restype = [p], None
    # these two read Python objects: called with the GIL held, their exception raised
    o = ctypes.py_object
    lib.load_start = ctypes.PYFUNCTYPE(p, o, o)(("load_start", lib))
    lib.dimacs_start = ctypes.PYFUNCTYPE(p, o, o, o, i)(("dimacs_start", lib))


def extension(name: str) -> Union[ModuleType, str]:
    """The CPython extension built from ``name``.c of this directory (built first if needed,
    cached under ``cache_dir`` by a checksum of the source, ``C_FLAGS`` and Python's version),
    or why there is none (the answer is kept for the life of the process)."""
    got = _extensions.get(name)
    if got is None:
        got = _extensions[name] = _load_extension(name)
    return got


def _load_extension(name: str) -> Union[ModuleType, str]:
    try:
        text = source(name + ".c")
    except OSError as e:
        return f"its source is missing ({e})"
    key = b"\0".join([text, " ".join(C_FLAGS).encode(), sys.version.encode()])
    path = os.path.join(cache_dir(), f"{name}-{zlib.crc32(key):08x}-{len(key):x}.so")
    if not os.path.exists(path):
        import sysconfig

        if not os.path.exists(os.path.join(sysconfig.get_path("include"), "Python.h")):
            return "no Python headers (Python.h) to build against"
        cc = compiler("CC", "cc")
        if not cc:
            return "no C compiler (cc, or $CC) found"
        try:
            why = build(cc, text, path, name=name + ".c", flags=C_FLAGS)
        except OSError as e:
            why = f"cannot write {cache_dir()} ({e})"
        if why:
            return why
    import _imp
    from _frozen_importlib import ModuleSpec  # what importlib's ExtensionFileLoader does

    try:
        module = _imp.create_dynamic(ModuleSpec(f"eagersmt.native.{name}", None, origin=path))
        _imp.exec_dynamic(module)
    except ImportError as e:
        return f"the built {name} does not load ({e})"
    return module
