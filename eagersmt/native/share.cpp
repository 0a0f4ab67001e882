// Mid-search clause sharing for python-sat's CaDiCaL 1.9.5 (eagersmt.native.share); and, at
// the end, a CNF's clauses loaded into that solver by a thread (load_start, load_join) and
// written as DIMACS to a pipe by a thread (dimacs_start, dimacs_join: Kissat's input).
//
// One object per solver is both CaDiCaL's Learner (exports every learnt clause of at most
// max_length literals into a buffer) and its ExternalPropagator (imports the clauses of a
// second buffer through cb_has_external_clause / cb_add_external_clause_lit, i.e. at the
// next propagation fixpoint, or only at decision level 0 with root_only).  Both buffers are
// flat int arrays, each clause ended by 0, handed over under a mutex: the solving thread
// never waits for Python, and Python never touches the solver while it searches.
//
// The declarations below are written here, not included: they state the part of CaDiCaL
// 1.9.5's public C++ interface (src/cadical.hpp, namespace renamed CaDiCaL195 by
// python-sat) that this file calls.  The two abstract classes must keep the order of their
// virtual functions and the data member of ExternalPropagator; Solver's members are only
// called (resolved at load time from python-sat's extension, loaded RTLD_GLOBAL first).
// load_start and dimacs_start read Python objects (Python's C API, called with the GIL
// held through ctypes' PYFUNCTYPE): so the library is built per Python version.
// Build: g++ -O2 -std=c++11 -shared -fPIC -fno-rtti -pthread -I<Python's include dir>
// (eagersmt/native/build.py).

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace CaDiCaL195 {

class Learner {
public:
  virtual ~Learner () {}
  virtual bool learning (int size) = 0;
  virtual void learn (int lit) = 0;
};

class ExternalPropagator {
public:
  bool is_lazy = false;
  virtual ~ExternalPropagator () {}
  virtual void notify_assignment (int lit, bool is_fixed) = 0;
  virtual void notify_new_decision_level () = 0;
  virtual void notify_backtrack (size_t new_level) = 0;
  virtual bool cb_check_found_model (const std::vector<int> &model) = 0;
  virtual int cb_decide () { return 0; }
  virtual int cb_propagate () { return 0; }
  virtual int cb_add_reason_clause_lit (int) { return 0; }
  virtual bool cb_has_external_clause () = 0;
  virtual int cb_add_external_clause_lit () = 0;
};

class Solver {
public:
  void add (int lit);
  void assume (int lit);
  int solve ();
  int val (int lit);
  void terminate ();
  bool limit (const char *name, int value);
  void freeze (int lit);
  void connect_learner (Learner *learner);
  void disconnect_learner ();
  void connect_external_propagator (ExternalPropagator *propagator);
  void disconnect_external_propagator ();
  void add_observed_var (int var);
};

} // namespace CaDiCaL195

using CaDiCaL195::Solver;

namespace {

struct Share : CaDiCaL195::Learner, CaDiCaL195::ExternalPropagator {
  Solver *solver;
  int nvars, max_length;
  bool binaries, root_only;

  std::mutex lock;             // guards incoming, outgoing and the counters read by Python
  std::vector<int> incoming;   // Python -> solver: clauses waiting to be imported
  std::vector<int> outgoing;   // solver -> Python: clauses learnt since the last take
  std::vector<int> taken;      // the last take, copied out by share_copy
  int64_t conflicts = 0, exported = 0, imported = 0;

  std::vector<int> importing;  // solving thread only: the clauses being imported now
  size_t next = 0;             // the next literal of ``importing`` to hand to CaDiCaL
  size_t level = 0;            // the current decision level (root_only)
  std::vector<int> clause;     // the clause being learnt
  bool keep = false;

  Share (Solver *s, int n, int len, bool bin, bool root)
      : solver (s), nvars (n), max_length (len), binaries (bin), root_only (root) {}

  // Learner: one ``learning`` per learnt clause (a conflict), then its literals and 0.
  bool learning (int size) override {
    clause.clear ();
    keep = size >= 1 && size <= max_length && (size != 2 || binaries);
    std::lock_guard<std::mutex> g (lock);
    conflicts++;
    return keep;
  }
  void learn (int lit) override {
    if (lit) {
      if (std::abs (lit) > nvars)
        keep = false; // a variable beyond the CNF's: never exported
      clause.push_back (lit);
      return;
    }
    if (!keep)
      return;
    std::lock_guard<std::mutex> g (lock);
    outgoing.insert (outgoing.end (), clause.begin (), clause.end ());
    outgoing.push_back (0);
    exported++;
  }

  // ExternalPropagator: nothing to propagate or decide, every model accepted.
  void notify_assignment (int, bool) override {}
  void notify_new_decision_level () override { level++; }
  void notify_backtrack (size_t new_level) override { level = new_level; }
  bool cb_check_found_model (const std::vector<int> &) override { return true; }
  bool cb_has_external_clause () override {
    if (next < importing.size ())
      return true;
    if (root_only && level)
      return false;
    importing.clear ();
    next = 0;
    {
      std::lock_guard<std::mutex> g (lock);
      importing.swap (incoming);
    }
    return !importing.empty ();
  }
  int cb_add_external_clause_lit () override {
    int lit = importing[next++];
    if (!lit) {
      std::lock_guard<std::mutex> g (lock);
      imported++;
    }
    return lit;
  }
};

// The literals of ``item`` (a clause: a sequence of non-zero ints, each fitting an int),
// then 0, appended to ``flat``: 0, or -1 with a Python exception set (python-sat's add_cl's
// messages) and ``flat`` as it was.
int append_clause (PyObject *item, std::vector<int> &flat) {
  PyObject *clause = PySequence_Fast (item, "a clause must be a sequence of ints");
  if (!clause)
    return -1;
  Py_ssize_t m = PySequence_Fast_GET_SIZE (clause);
  PyObject **ls = PySequence_Fast_ITEMS (clause);
  size_t start = flat.size ();
  flat.resize (start + (size_t) m + 1); // (one size check per clause, not per literal)
  int *out = flat.data () + start;
  int status = 0;
  for (Py_ssize_t j = 0; j < m; j++) {
    PyObject *o = ls[j];
    if (!PyLong_Check (o)) {
      PyErr_SetString (PyExc_TypeError, "integer expected");
      status = -1;
      break;
    }
    long lit;
#if PY_VERSION_HEX < 0x030C0000
    Py_ssize_t size = Py_SIZE (o); // a one-digit int read in place (CPython <= 3.11's layout)
    if (size == 1 || size == -1)
      lit = size * (long) ((PyLongObject *) o)->ob_digit[0];
    else
#endif
    {
      lit = PyLong_AsLong (o);
      if (lit == -1 && PyErr_Occurred ()) {
        status = -1;
        break;
      }
    }
    if (lit == 0 || lit > INT32_MAX || lit < -INT32_MAX) {
      PyErr_SetString (PyExc_ValueError, lit ? "literal out of range"
                                             : "non-zero integer expected");
      status = -1;
      break;
    }
    out[j] = (int) lit;
  }
  Py_DECREF (clause);
  if (status)
    flat.resize (start);
  else
    out[m] = 0;
  return status;
}

// Every clause of the sequence ``clauses`` appended to ``flat`` (``append_clause``): 0, or
// -1 with a Python exception set, the clauses before the bad one appended.
int flatten (PyObject *clauses, std::vector<int> &flat) {
  PyObject *outer = PySequence_Fast (clauses, "a sequence of clauses expected");
  if (!outer)
    return -1;
  Py_ssize_t n = PySequence_Fast_GET_SIZE (outer);
  PyObject **items = PySequence_Fast_ITEMS (outer);
  flat.reserve (flat.size () + (size_t) n * 4);
  int status = 0;
  for (Py_ssize_t i = 0; i < n && !status; i++)
    status = append_clause (items[i], flat);
  Py_DECREF (outer);
  return status;
}

struct Load {
  Solver *solver;
  std::vector<int> lits; // each clause ended by 0
  std::thread thread;
};


void put_int (std::string &out, int lit) {
  char buf[12];
  char *end = buf + sizeof buf, *p = end;
  unsigned u = lit < 0 ? 0u - (unsigned) lit : (unsigned) lit;
  do
    *--p = (char) ('0' + u % 10);
  while (u /= 10);
  if (lit < 0)
    *--p = '-';
  out.append (p, end - p);
}

struct Dimacs {
  std::string text;      // the header, then each chunk of lines while it is written
  std::vector<int> lits; // the clauses, then the units, each ended by 0
  int fd;
  int error = 0;
  std::thread thread;

  // Write ``text`` to ``fd``: false when the reader is gone (``error`` says why).
  bool flush () {
    const char *p = text.data ();
    size_t left = text.size ();
    while (left) {
      ssize_t w = write (fd, p, left);
      if (w < 0) {
        if (errno == EINTR)
          continue;
        error = errno; // EPIPE: the reader is gone
        return false;
      }
      p += w;
      left -= (size_t) w;
    }
    text.clear ();
    return true;
  }

  // The lines of ``lits`` after the header, written a chunk at a time.
  void run () {
    const size_t chunk = 1 << 20;
    text.reserve (text.size () + chunk + 64);
    bool first = true;
    for (int lit : lits) {
      if (!lit) {
        text.append (" 0\n");
        first = true;
        if (text.size () >= chunk && !flush ())
          break;
        continue;
      }
      if (!first)
        text.push_back (' ');
      first = false;
      put_int (text, lit);
    }
    if (!error)
      flush ();
    close (fd);
    std::string ().swap (text);
    std::vector<int> ().swap (lits);
  }
};

} // namespace

extern "C" {

// Connect to ``solver`` (not solving, never solved since its clauses were added: every
// variable must still be active); observes and freezes variables 1..nvars.
void *share_new (void *solver, int nvars, int max_length, int binaries, int root_only) {
  Solver *s = static_cast<Solver *> (solver);
  Share *h = new Share (s, nvars, max_length, binaries != 0, root_only != 0);
  s->connect_learner (h);
  s->connect_external_propagator (h);
  for (int v = 1; v <= nvars; v++) {
    s->freeze (v);
    s->add_observed_var (v);
  }
  return h;
}

// Disconnect and free (not while solving).
void share_delete (void *handle) {
  Share *h = static_cast<Share *> (handle);
  h->solver->disconnect_external_propagator ();
  h->solver->disconnect_learner ();
  delete h;
}

// Queue clauses for import: ``n`` literals, each clause ended by 0 (any thread).
void share_import (void *handle, const int *lits, size_t n) {
  Share *h = static_cast<Share *> (handle);
  std::lock_guard<std::mutex> g (h->lock);
  h->incoming.insert (h->incoming.end (), lits, lits + n);
}

// Take the clauses exported since the last take: returns their literal count (0s
// included); ``share_copy`` then copies them out.
size_t share_take (void *handle) {
  Share *h = static_cast<Share *> (handle);
  std::lock_guard<std::mutex> g (h->lock);
  h->taken.clear ();
  h->taken.swap (h->outgoing);
  return h->taken.size ();
}

void share_copy (void *handle, int *out) {
  Share *h = static_cast<Share *> (handle);
  if (!h->taken.empty ())
    std::memcpy (out, h->taken.data (), h->taken.size () * sizeof (int));
}

// conflicts, clauses exported, clauses imported, literals waiting to be imported
void share_counters (void *handle, int64_t *out) {
  Share *h = static_cast<Share *> (handle);
  std::lock_guard<std::mutex> g (h->lock);
  out[0] = h->conflicts;
  out[1] = h->exported;
  out[2] = h->imported;
  out[3] = (int64_t) h->incoming.size ();
}

// One solve under ``assumptions`` (conflicts < 0: no limit): 10 sat, 20 unsat, 0 stopped.
int share_solve (void *solver, const int *assumptions, size_t n, int conflicts) {
  Solver *s = static_cast<Solver *> (solver);
  for (size_t i = 0; i < n; i++)
    s->assume (assumptions[i]);
  if (conflicts >= 0)
    s->limit ("conflicts", conflicts);
  return s->solve ();
}

// Stop a solve running in another thread (it returns 0 soon after).
void share_terminate (void *solver) { static_cast<Solver *> (solver)->terminate (); }

// The model after a satisfiable solve: out[v-1] = v or -v.
void share_model (void *solver, int nvars, int *out) {
  Solver *s = static_cast<Solver *> (solver);
  for (int v = 1; v <= nvars; v++)
    out[v - 1] = s->val (v) > 0 ? v : -v;
}

// Copy every clause of ``clauses`` (a CNF's clause list) now, then add them to the solver
// in python-sat's capsule ``capsule`` (Cadical195.cadical) on a thread, in their order, as
// python-sat's add_cl adds one; ``load_join`` waits for it, and nothing may use the solver
// before.  The handle, or NULL with a Python exception set (TypeError, ValueError,
// OverflowError): the clauses before the bad one are then added, here.
void *load_start (PyObject *capsule, PyObject *clauses) {
  Solver *s = static_cast<Solver *> (PyCapsule_GetPointer (capsule, NULL));
  if (!s)
    return NULL;
  Load *l = new Load;
  l->solver = s;
  std::vector<int> &flat = l->lits;
  if (flatten (clauses, flat)) {
    for (int lit : flat)
      s->add (lit);
    delete l;
    return NULL;
  }
  l->thread = std::thread ([l] () {
    for (int lit : l->lits)
      l->solver->add (lit);
    std::vector<int> ().swap (l->lits);
  });
  return l;
}

// Wait for the thread of ``load_start`` and free it (called without the GIL).
void load_join (void *handle) {
  Load *l = static_cast<Load *> (handle);
  l->thread.join ();
  delete l;
}

// The DIMACS text ``header`` (bytes: the p line), then each clause of ``clauses`` and each
// unit of ``units`` (a sequence of ints) as ``l1 l2 0`` lines (an empty clause: " 0"): the
// literals copied now, the text made and written to ``fd`` by a thread, which closes ``fd``
// when done or when the reader is gone; ``dimacs_join`` waits for it.  The handle, or NULL
// with a Python exception set (``fd`` is then left open).
void *dimacs_start (PyObject *header, PyObject *clauses, PyObject *units, int fd) {
  char *h;
  Py_ssize_t hn;
  if (PyBytes_AsStringAndSize (header, &h, &hn) < 0)
    return NULL;
  Dimacs *d = new Dimacs;
  d->fd = fd;
  d->text.assign (h, (size_t) hn);
  std::vector<int> &flat = d->lits;
  if (flatten (clauses, flat)) {
    delete d;
    return NULL;
  }
  PyObject *unit_list = PySequence_Fast (units, "a sequence of ints expected");
  if (!unit_list) {
    delete d;
    return NULL;
  }
  Py_ssize_t m = PySequence_Fast_GET_SIZE (unit_list);
  for (Py_ssize_t i = 0; i < m; i++) {
    long lit = PyLong_AsLong (PySequence_Fast_GET_ITEM (unit_list, i));
    if (lit == -1 && PyErr_Occurred ()) {
      Py_DECREF (unit_list);
      delete d;
      return NULL;
    }
    flat.push_back ((int) lit);
    flat.push_back (0);
  }
  Py_DECREF (unit_list);
  d->thread = std::thread ([d] () { d->run (); });
  return d;
}

// Wait for the writing thread of ``dimacs_start`` and free it: 0 or the errno of the write
// that failed (called without the GIL).
int dimacs_join (void *handle) {
  Dimacs *d = static_cast<Dimacs *> (handle);
  d->thread.join ();
  int error = d->error;
  delete d;
  return error;
}

} // extern "C"
