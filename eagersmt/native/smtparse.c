/* The compiled SMT-LIB front end: scanner, reader and elaborator of the common well-formed
 * subset, building the same terms as eagersmt/smtlib/parser.py through the same
 * TermManager table (see Parser.compiled in eagersmt/smtlib/parser.py for the contract).
 *
 * elaborate(text, start, stop, table, true, false, logic, status, symbols, functions,
 *           atom_pos, level) reads the commands of text from offset start.  It returns None
 * when it gives up -- anything outside the subset or any error -- after removing every term
 * it added to table (so the Python parser reads the same text into the same ids), or
 * (end, commands, declarations, logic, status, exited, read) on success (read: how many
 * top-level s-expressions were elaborated), with the atoms' first positions set into
 * atom_pos and the declared names bound as Parser.bind binds them (into symbols or
 * functions, and (table, name) appended to level unless level is None).  stop: return after
 * the first command that is not set-logic, set-info, set-option, declare-fun, declare-const
 * or assert (a session runs it before the next command is elaborated).
 *
 * The term constructors below mirror TermManager's (ir/terms.py: _mk, not_, _junction,
 * iff, ite, add, mul, _cmp, const, var, param, apply) and the parser's operator handlers
 * (smtlib/parser.py: _op_*, numbers, _chain) on the subset: the same terms created in the
 * same order (lazy conjunctions stop at the first false, as the generators do).  The
 * differential test tests/test_compiled_parser.py guards the copy.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- constants handed over by setup() ---------------------------------------------- */
static PyTypeObject *TermType, *CommandType;
static Py_ssize_t off_op, off_args, off_val, off_sort, off_id;
static Py_ssize_t off_name, off_cargs, off_pos, off_end; /* Command's */
static PyObject *S_CONST, *S_VAR, *S_PARAM, *S_NOT, *S_AND, *S_OR, *S_ITE, *S_IFF, *S_EQ,
    *S_LE, *S_LT, *S_ADD, *S_MUL, *S_APPLY;
static PyObject *S_BOOL, *S_INT, *S_REAL;
static PyObject *Fraction, *QSymbolType, *StringType, *Logics, *KnownOptions;
static PyObject *EMPTY, *ZERO, *ONE, *MINUS_ONE;
static PyObject *C_set_logic, *C_set_info, *C_set_option, *C_declare, *C_assert, *C_check_sat,
    *C_get_model, *C_exit;
static int ready = 0;

enum { O_CONST, O_VAR, O_PARAM, O_NOT, O_AND, O_OR, O_ITE, O_IFF, O_EQ, O_LE, O_LT, O_ADD,
       O_MUL, O_APPLY, O_OTHER };
static PyObject **OPS[] = {&S_CONST, &S_VAR, &S_PARAM, &S_NOT, &S_AND, &S_OR, &S_ITE, &S_IFF,
                           &S_EQ, &S_LE, &S_LT, &S_ADD, &S_MUL, &S_APPLY};
enum { SB, SI, SR, SX };

#define SLOT(t, off) (*(PyObject **)((char *)(t) + (off)))
#define OP(t) SLOT(t, off_op)
#define ARGS(t) SLOT(t, off_args)
#define VAL(t) SLOT(t, off_val)
#define SORT(t) SLOT(t, off_sort)

/* setup's operator objects by address (a direct-mapped cache in front of opcode_slow) */
#define OPCACHE 256
static struct { PyObject *op; int code; } opcache[OPCACHE];
static int opshift = 4; /* (setup picks one that gives every operator its own slot) */
#define OPSLOT(op) (((uintptr_t)(op) >> opshift) & (OPCACHE - 1))

static int opcode_slow(PyObject *op) {
    for (int i = 0; i < O_OTHER; i++)
        if (op == *OPS[i]) return i;
    for (int i = 0; i < O_OTHER; i++)
        if (PyUnicode_Check(op) && PyUnicode_Compare(op, *OPS[i]) == 0) return i;
    PyErr_Clear();
    return O_OTHER;
}

static inline int opcode(PyObject *t) {
    PyObject *op = OP(t);
    uintptr_t k = OPSLOT(op);
    return opcache[k].op == op ? opcache[k].code : opcode_slow(op);
}

static int sortcode_slow(PyObject *s);
static inline int sortcode_of(PyObject *s) {
    if (s == S_BOOL) return SB;
    if (s == S_INT) return SI;
    if (s == S_REAL) return SR;
    return sortcode_slow(s);
}

static int sortcode_slow(PyObject *s) {
    if (PyUnicode_Check(s)) {
        if (PyUnicode_Compare(s, S_BOOL) == 0) return SB;
        if (PyUnicode_Compare(s, S_INT) == 0) return SI;
        if (PyUnicode_Compare(s, S_REAL) == 0) return SR;
    }
    PyErr_Clear();
    return SX;
}
#define SORTC(t) sortcode_of(SORT(t))
static PyObject *sort_obj(int s) { return s == SB ? S_BOOL : s == SI ? S_INT : S_REAL; }

static Py_ssize_t tid(PyObject *t) { return PyLong_AsSsize_t(SLOT(t, off_id)); }

/* ---- a name table: symbols, functions, let scopes, numerals -------------------------- */
typedef struct {
    char *key;
    Py_ssize_t len;
    uint64_t h;
    PyObject *sym;   /* declared constant (borrowed: the table or the caller's dict holds it) */
    PyObject *fun;   /* uninterpreted function: its body, APPLY of PARAMs (borrowed) */
    PyObject **lets; /* let bindings, innermost last */
    int nlets, caplets;
} Entry;

typedef struct {
    Entry **slots;
    Py_ssize_t cap, used;
} Map;

static uint64_t hash_bytes(const char *s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void map_free(Map *m) {
    for (Py_ssize_t i = 0; i < m->cap; i++) {
        Entry *e = m->slots[i];
        if (e) {
            free(e->key);
            free(e->lets);
            free(e);
        }
    }
    free(m->slots);
    m->slots = NULL;
    m->cap = m->used = 0;
}

static Entry *map_find(Map *m, const char *s, Py_ssize_t n, int create) {
    if (m->cap == 0) {
        if (!create) return NULL;
        m->cap = 1024;
        m->slots = calloc(m->cap, sizeof(Entry *));
        if (!m->slots) return NULL;
    }
    uint64_t h = hash_bytes(s, n);
    Py_ssize_t mask = m->cap - 1, i = (Py_ssize_t)(h & mask);
    while (m->slots[i]) {
        Entry *e = m->slots[i];
        if (e->h == h && e->len == n && memcmp(e->key, s, n) == 0) return e;
        i = (i + 1) & mask;
    }
    if (!create) return NULL;
    if ((m->used + 1) * 2 > m->cap) { /* grow, then look for the free slot again */
        Py_ssize_t ncap = m->cap * 2;
        Entry **ns = calloc(ncap, sizeof(Entry *));
        if (!ns) return NULL;
        for (Py_ssize_t j = 0; j < m->cap; j++) {
            Entry *e = m->slots[j];
            if (!e) continue;
            Py_ssize_t k = (Py_ssize_t)(e->h & (ncap - 1));
            while (ns[k]) k = (k + 1) & (ncap - 1);
            ns[k] = e;
        }
        free(m->slots);
        m->slots = ns;
        m->cap = ncap;
        mask = ncap - 1;
        i = (Py_ssize_t)(h & mask);
        while (m->slots[i]) i = (i + 1) & mask;
    }
    Entry *e = calloc(1, sizeof(Entry));
    if (!e) return NULL;
    e->key = malloc(n ? n : 1);
    if (!e->key) { free(e); return NULL; }
    memcpy(e->key, s, n);
    e->len = n;
    e->h = h;
    m->slots[i] = e;
    m->used++;
    return e;
}

/* ---- s-expressions of one command ----------------------------------------------------- */
enum { N_LIST, N_SYM, N_QSYM, N_STR };
typedef struct {           /* (32 bytes: a command's nodes are read again to elaborate it) */
    Py_ssize_t pos, a;     /* pos: offset of '(' or of the token; an atom's text: a, len */
    int first, nk;         /* a list's children: kids[first .. first + nk) */
    int len, type;
} Node;

typedef struct {
    PyObject *t; /* an atom this call put into atom_pos */
} Atom;

typedef struct {
    const unsigned char *s;
    Py_ssize_t n;
    PyObject *table, *t_true, *t_false, *atom_pos;
    int numeral_sort;
    PyObject *logic, *status; /* owned */
    Map names, nums;
    Node *nodes;
    int nn, capn;
    int *kids;
    int nkids, capk;
    int *tmp;
    int ntmp, captmp;
    Atom *atoms;
    int natoms, capatoms;
    int depth;
    struct Recent { uint64_t h; PyObject *t; } *recent; /* RECENT of them: see mk */
} Ctx;

#define GIVE_UP NULL
#define RECENT 4096 /* mk's cache of recent terms (a power of two) */
#define SMALL 16 /* arrays of up to this many on the stack */
#define MAX_DEPTH 5000

static int grow(void **p, int *cap, int need, size_t size) {
    if (need <= *cap) return 0;
    int ncap = *cap ? *cap : 256;
    while (ncap < need) ncap *= 2;
    void *q = realloc(*p, ncap * size);
    if (!q) { PyErr_NoMemory(); return -1; }
    *p = q;
    *cap = ncap;
    return 0;
}

/* The scanner's character classes; C_END: the NUL after the text (a str's data ends with
 * one) or inside it, where the scanner gives up (the reader takes NUL for a symbol char). */
enum { C_SYM, C_SPACE, C_OPEN, C_CLOSE, C_BAR, C_QUOTE, C_SEMI, C_END };
static unsigned char cls[256];

/* Skip white space and comments from *i; 0 at the end of the text. */
static int skip(Ctx *c, Py_ssize_t *i) {
    const unsigned char *s = c->s;
    Py_ssize_t p = *i;
    for (;;) {
        while (cls[s[p]] == C_SPACE) p++;
        if (s[p] != ';') break;
        const unsigned char *nl = memchr(s + p, '\n', c->n - p);
        p = nl ? nl - s : c->n;
    }
    *i = p;
    return p < c->n;
}

static int simple_char(unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("~!@$%^&*_-+=<>.?/", ch) != NULL);
}

/* Read the top-level s-expression at *i (a '(' there) into nodes; its index, -1: give up. */
static int read_command(Ctx *c, Py_ssize_t *i) {
    const unsigned char *s = c->s;
    Py_ssize_t n = c->n, p = *i;
    c->nn = c->nkids = c->ntmp = 0;
    int open[MAX_DEPTH], tmpstart[MAX_DEPTH], depth = 0;
    for (;;) {
        while (cls[s[p]] == C_SPACE) p++;
        unsigned char ch = s[p];
        int node, k = cls[ch];
        if (k == C_SEMI) {
            skip(c, &p);
            continue;
        }
        if (k == C_END) return -1; /* never closed, or a NUL */
        if (k == C_CLOSE) {
            depth--;
            int li = open[depth], nk = c->ntmp - tmpstart[depth];
            if (grow((void **)&c->kids, &c->capk, c->nkids + nk, sizeof(int))) return -2;
            memcpy(c->kids + c->nkids, c->tmp + tmpstart[depth], nk * sizeof(int));
            c->nodes[li].first = c->nkids;
            c->nodes[li].nk = nk;
            c->nkids += nk;
            c->ntmp = tmpstart[depth];
            p++;
            if (depth == 0) {
                *i = p;
                return li;
            }
            node = li;
        } else {
            if (c->nn >= c->capn && grow((void **)&c->nodes, &c->capn, c->nn + 1, sizeof(Node)))
                return -2;
            node = c->nn++;
            Node *nd = &c->nodes[node];
            nd->pos = p;
            nd->first = nd->nk = 0;
            if (k == C_OPEN) {
                if (depth >= MAX_DEPTH) return -1;
                nd->type = N_LIST;
                open[depth] = node;
                tmpstart[depth] = c->ntmp;
                depth++;
                p++;
                continue;
            }
            if (depth == 0) return -1;
            if (k == C_BAR) {
                Py_ssize_t q = p + 1;
                while (q < n && s[q] != '|' && s[q] != '\\') q++;
                if (q >= n || s[q] != '|') return -1;
                if (q - p > INT32_MAX) return -1;
                nd->a = p + 1;
                nd->len = (int)(q - p - 1);
                int simple = q > p + 1 && !(s[p + 1] >= '0' && s[p + 1] <= '9') && s[p + 1] != ':';
                for (Py_ssize_t j = p + 1; simple && j < q; j++) simple = simple_char(s[j]);
                nd->type = simple ? N_SYM : N_QSYM;
                p = q + 1;
            } else if (k == C_QUOTE) {
                Py_ssize_t q = p + 1;
                for (;;) {
                    while (q < n && s[q] != '"') q++;
                    if (q >= n) return -1;
                    if (q + 1 < n && s[q + 1] == '"') { q += 2; continue; }
                    break;
                }
                if (q - p > INT32_MAX) return -1;
                nd->type = N_STR;
                nd->a = p + 1;
                nd->len = (int)(q - p - 1);
                p = q + 1;
            } else {
                if (ch == '\\') return -1;
                Py_ssize_t q = p + 1;
                while (cls[s[q]] == C_SYM) q++;
                if (q < n && s[q] == 0) return -1; /* a NUL in a symbol */
                if (q - p > INT32_MAX) return -1;
                nd->type = N_SYM;
                nd->a = p;
                nd->len = (int)(q - p);
                p = q;
            }
        }
        if (depth == 0) return -1;
        if (c->ntmp >= c->captmp && grow((void **)&c->tmp, &c->captmp, c->ntmp + 1, sizeof(int)))
            return -2;
        c->tmp[c->ntmp++] = node;
    }
}

#define KID(c, nd, k) (&(c)->nodes[(c)->kids[(nd)->first + (k)]])
#define TXT(c, nd) ((const char *)(c)->s + (nd)->a)
#define LEN(nd) ((Py_ssize_t)(nd)->len)

static int is(Ctx *c, Node *nd, const char *w) {
    Py_ssize_t l = (Py_ssize_t)strlen(w);
    return nd->type == N_SYM && LEN(nd) == l && memcmp(TXT(c, nd), w, l) == 0;
}

static PyObject *text_of(Ctx *c, Node *nd) {
    return PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, c->s + nd->a, LEN(nd));
}

/* An atom as the reader gives it: str, QSymbol, String (new reference). */
static PyObject *atom_value(Ctx *c, Node *nd) {
    PyObject *t = text_of(c, nd);
    if (!t || nd->type == N_SYM) return t;
    PyObject *r;
    if (nd->type == N_QSYM) {
        r = PyObject_CallOneArg((PyObject *)QSymbolType, t);
    } else {
        PyObject *q = PyUnicode_FromString("\""), *qq = PyUnicode_FromString("\"\"");
        PyObject *u = q && qq ? PyUnicode_Replace(t, qq, q, -1) : NULL;
        Py_XDECREF(q);
        Py_XDECREF(qq);
        r = u ? PyObject_CallOneArg((PyObject *)StringType, u) : NULL;
        Py_XDECREF(u);
    }
    Py_DECREF(t);
    return r;
}

/* ---- TermManager's constructors --------------------------------------------------------- */
/* hash(key) of a key tuple (op, args, val, sort, type(val)) whose args are terms: tuple's
 * hash (CPython's tuplehash, xxHash lanes) with a term's hash, object's pointer hash, done
 * here; setup checks both against CPython's (fast_hash), else PyObject_Hash computes it. */
static int fast_hash = 0;
#define XXPRIME_1 11400714785074694791ULL
#define XXPRIME_2 14029467366897019727ULL
#define XXPRIME_5 2870177450012600261ULL
static inline uint64_t xx_lane(uint64_t acc, uint64_t lane) {
    acc += lane * XXPRIME_2;
    acc = (acc << 31) | (acc >> 33);
    return acc * XXPRIME_1;
}
static inline Py_hash_t xx_end(uint64_t acc, Py_ssize_t len) {
    acc += (uint64_t)len ^ (XXPRIME_5 ^ 3527539UL);
    return acc == (uint64_t)-1 ? 1546275796 : (Py_hash_t)acc;
}
static inline uint64_t pointer_hash(const void *p) {
    size_t y = (size_t)p;
    y = (y >> 4) | (y << (8 * sizeof(void *) - 4));
    return (Py_hash_t)y == -1 ? (uint64_t)-2 : (uint64_t)y;
}
static Py_hash_t key_hash(PyObject *key) {
    if (!fast_hash || sizeof(Py_uhash_t) != 8) return PyObject_Hash(key);
    PyObject *args = PyTuple_GET_ITEM(key, 1);
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    uint64_t a = XXPRIME_5;
    for (Py_ssize_t k = 0; k < n; k++) a = xx_lane(a, pointer_hash(PyTuple_GET_ITEM(args, k)));
    Py_hash_t ha = xx_end(a, n), h[4];
    int ks[4] = {0, 2, 3, 4};
    for (int k = 0; k < 4; k++)
        if ((h[k] = PyObject_Hash(PyTuple_GET_ITEM(key, ks[k]))) == -1) return -1;
    uint64_t acc = xx_lane(XXPRIME_5, (uint64_t)h[0]);
    acc = xx_lane(acc, (uint64_t)ha);
    acc = xx_lane(acc, (uint64_t)h[1]);
    acc = xx_lane(acc, (uint64_t)h[2]);
    acc = xx_lane(acc, (uint64_t)h[3]);
    return xx_end(acc, 5);
}

/* _mk: the one term of (op, args a[0..n), val, sort); borrowed result (the table has it) */
static PyObject *made(Ctx *c, PyObject *op, PyObject *const *a, Py_ssize_t n, PyObject *val,
                      PyObject *sort);
/* mk's cache: the terms of recent calls, by a hash of their operator, sort, value and
 * argument addresses in a small direct-mapped table (in the processor's cache, unlike the
 * term table), so that a term asked for again soon, e.g. (* -1 x) of each (- y x), is found
 * without building its key tuple.  A slot is used when those fields are the same objects
 * (or values of 64-bit ints); the table, which only grows during a call, still has it. */
static inline uint64_t mix(uint64_t h, uint64_t v) {
    h = (h ^ v) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

static inline int same_val(PyObject *x, PyObject *y) {
    if (x == y) return 1;
    if (!PyLong_CheckExact(x) || !PyLong_CheckExact(y)) return 0;
    int ox, oy;
    long long a = PyLong_AsLongLongAndOverflow(x, &ox), b = PyLong_AsLongLongAndOverflow(y, &oy);
    return !ox && !oy && a == b;
}

static PyObject *mk(Ctx *c, PyObject *op, PyObject *const *a, Py_ssize_t n, PyObject *val,
                    PyObject *sort) {
    uint64_t h = mix((uint64_t)(uintptr_t)op, (uint64_t)(uintptr_t)sort);
    if (PyLong_CheckExact(val)) {
        int over;
        long long v = PyLong_AsLongLongAndOverflow(val, &over);
        h = mix(h, over ? (uint64_t)(uintptr_t)val : (uint64_t)v);
    } else {
        h = mix(h, (uint64_t)(uintptr_t)val);
    }
    for (Py_ssize_t k = 0; k < n; k++) h = mix(h, (uint64_t)(uintptr_t)a[k]);
    size_t slot = (size_t)(h >> 40) & (RECENT - 1);
    PyObject *t = c->recent[slot].t;
    if (t && c->recent[slot].h == h && OP(t) == op && SORT(t) == sort &&
        PyTuple_GET_SIZE(ARGS(t)) == n && same_val(VAL(t), val)) {
        Py_ssize_t k = 0;
        while (k < n && PyTuple_GET_ITEM(ARGS(t), k) == a[k]) k++;
        if (k == n) return t;
    }
    t = made(c, op, a, n, val, sort);
    if (t) {
        c->recent[slot].h = h;
        c->recent[slot].t = t;
    }
    return t;
}

/* _mk itself: the table's term of the key, made if new */
static PyObject *made(Ctx *c, PyObject *op, PyObject *const *a, Py_ssize_t n, PyObject *val,
                      PyObject *sort) {
    PyObject *args;
    if (n == 0) {
        Py_INCREF(EMPTY);
        args = EMPTY;
    } else {
        if (!(args = PyTuple_New(n))) return NULL;
        for (Py_ssize_t k = 0; k < n; k++) {
            Py_INCREF(a[k]);
            PyTuple_SET_ITEM(args, k, a[k]);
        }
        PyObject_GC_UnTrack(args); /* (terms: in no cycle, see below) */
    }
    PyObject *key = PyTuple_New(5);
    if (!key) { Py_DECREF(args); return NULL; }
    PyObject *items[5] = {op, args, val, sort, (PyObject *)Py_TYPE(val)};
    for (int k = 0; k < 5; k++) {
        if (k != 1) Py_INCREF(items[k]);
        PyTuple_SET_ITEM(key, k, items[k]);
    }
    PyObject_GC_UnTrack(key);
    Py_hash_t hash = key_hash(key); /* (once, for the lookup and the insertion) */
    if (hash == -1) { Py_DECREF(key); return NULL; }
    PyObject *t = _PyDict_GetItem_KnownHash(c->table, key, hash);
    if (t || PyErr_Occurred()) {
        Py_DECREF(key);
        return t;
    }
    PyObject *id = PyLong_FromSsize_t(PyDict_GET_SIZE(c->table));
    t = id ? TermType->tp_alloc(TermType, 0) : NULL;
    if (!t) {
        Py_XDECREF(id);
        Py_DECREF(key);
        return NULL;
    }
    Py_INCREF(op);
    SLOT(t, off_op) = op;
    Py_INCREF(args);
    SLOT(t, off_args) = args;
    Py_INCREF(val);
    SLOT(t, off_val) = val;
    Py_INCREF(sort);
    SLOT(t, off_sort) = sort;
    SLOT(t, off_id) = id;
    /* A term's fields never lead back to it (its arguments are older terms): it, its arguments
     * and its key are in no reference cycle, so the cycle collector need not visit them. */
    PyObject_GC_UnTrack(t);
    int err = _PyDict_SetItem_KnownHash(c->table, key, t, hash);
    Py_DECREF(key);
    Py_DECREF(t);
    return err ? NULL : t;
}

static PyObject *mk1(Ctx *c, PyObject *op, PyObject *a, PyObject *val, PyObject *sort) {
    return mk(c, op, &a, 1, val, sort);
}

static PyObject *mk2(Ctx *c, PyObject *op, PyObject *a, PyObject *b, PyObject *sort) {
    PyObject *ab[2] = {a, b};
    return mk(c, op, ab, 2, Py_None, sort);
}

/* const(value, sort) (value borrowed) */
static PyObject *cnst(Ctx *c, PyObject *value, int sort) {
    if (sort == SB) {
        int b = PyObject_IsTrue(value);
        return b < 0 ? NULL : b ? c->t_true : c->t_false;
    }
    PyObject *v = sort == SI ? PyNumber_Long(value) : PyObject_CallOneArg(Fraction, value);
    if (!v) return NULL;
    PyObject *t = mk(c, S_CONST, NULL, 0, v, sort == SI ? S_INT : S_REAL);
    Py_DECREF(v);
    return t;
}

static PyObject *not_(Ctx *c, PyObject *a) {
    int o = opcode(a);
    if (o == O_CONST) {
        int b = PyObject_IsTrue(VAL(a));
        return b < 0 ? NULL : b ? c->t_false : c->t_true;
    }
    if (o == O_NOT) return PyTuple_GET_ITEM(ARGS(a), 0);
    return mk1(c, S_NOT, a, Py_None, S_BOOL);
}

/* _junction, fed one argument at a time (a generator stops at the first zero) */
typedef struct {
    PyObject *op, *unit, *zero, *result;
    int opc, done;
    PyObject **items; /* small, or from malloc when more */
    int n, cap;
    PyObject *small[SMALL];
} Junction;

/* room for need items in *a (cap: its size; small: the caller's buffer, never freed) */
static int room(PyObject ***a, int *cap, int need, PyObject **small) {
    if (need <= *cap) return 0;
    int ncap = *cap * 2 > need ? *cap * 2 : need;
    PyObject **q = *a == small ? malloc(ncap * sizeof(PyObject *))
                               : realloc(*a, ncap * sizeof(PyObject *));
    if (!q) { PyErr_NoMemory(); return -1; }
    if (*a == small) memcpy(q, small, *cap * sizeof(PyObject *));
    *a = q;
    *cap = ncap;
    return 0;
}

static void junction_free(Junction *j) {
    if (j->items != j->small) free(j->items);
    j->items = j->small;
}

static void junction_start(Ctx *c, Junction *j, int and) {
    j->op = and ? S_AND : S_OR;
    j->opc = and ? O_AND : O_OR;
    j->unit = and ? c->t_true : c->t_false;
    j->zero = and ? c->t_false : c->t_true;
    j->done = 0;
    j->result = NULL;
    j->items = j->small;
    j->n = 0;
    j->cap = SMALL;
}

static int junction_add(Junction *j, PyObject *a) {
    if (j->done || a == j->unit) return 0;
    if (a == j->zero) {
        j->done = 1;
        j->result = j->zero;
        return 0;
    }
    if (opcode(a) == j->opc) {
        PyObject *args = ARGS(a);
        Py_ssize_t m = PyTuple_GET_SIZE(args);
        if (room(&j->items, &j->cap, j->n + (int)m, j->small)) return -1;
        for (Py_ssize_t k = 0; k < m; k++) j->items[j->n++] = PyTuple_GET_ITEM(args, k);
    } else {
        if (room(&j->items, &j->cap, j->n + 1, j->small)) return -1;
        j->items[j->n++] = a;
    }
    return 0;
}

typedef struct { Py_ssize_t id; PyObject *t; } ById;
static int by_id(const void *x, const void *y) {
    Py_ssize_t a = ((const ById *)x)->id, b = ((const ById *)y)->id;
    return a < b ? -1 : a > b;
}
static int has_id(ById *v, int n, Py_ssize_t id) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (v[mid].id == id) return 1;
        if (v[mid].id < id) lo = mid + 1; else hi = mid - 1;
    }
    return 0;
}

static PyObject *junction_end(Ctx *c, Junction *j) {
    PyObject *r = NULL;
    if (j->done) { r = j->result; goto out; }
    if (j->n == 0) { r = j->unit; goto out; }
    ById vsmall[SMALL], *v = j->n <= SMALL ? vsmall : malloc(j->n * sizeof(ById));
    if (!v) { PyErr_NoMemory(); goto out; }
    for (int k = 0; k < j->n; k++) { v[k].t = j->items[k]; v[k].id = tid(j->items[k]); }
    if (j->n <= SMALL) { /* (insertion sort) */
        for (int k = 1; k < j->n; k++) {
            ById x = v[k];
            int i = k;
            for (; i > 0 && v[i - 1].id > x.id; i--) v[i] = v[i - 1];
            v[i] = x;
        }
    } else {
        qsort(v, j->n, sizeof(ById), by_id);
    }
    int m = 0;
    for (int k = 0; k < j->n; k++)
        if (m == 0 || v[m - 1].id != v[k].id) v[m++] = v[k];
    for (int k = 0; k < m; k++)
        if (opcode(v[k].t) == O_NOT && has_id(v, m, tid(PyTuple_GET_ITEM(ARGS(v[k].t), 0)))) {
            r = j->zero;
            goto out_v;
        }
    if (m == 1) {
        r = v[0].t;
    } else {
        for (int k = 0; k < m; k++) j->items[k] = v[k].t; /* (m <= n: they fit) */
        r = mk(c, j->op, j->items, m, Py_None, S_BOOL);
    }
out_v:
    if (v != vsmall) free(v);
out:
    junction_free(j);
    return r;
}

static PyObject *junction(Ctx *c, int and, PyObject **a, int n) {
    Junction j;
    junction_start(c, &j, and);
    for (int k = 0; k < n && !j.done; k++)
        if (junction_add(&j, a[k])) { junction_free(&j); return NULL; }
    return junction_end(c, &j);
}

static PyObject *iff(Ctx *c, PyObject *a, PyObject *b) {
    if (a == b) return c->t_true;
    if (opcode(a) == O_CONST) {
        int t = PyObject_IsTrue(VAL(a));
        return t < 0 ? NULL : t ? b : not_(c, b);
    }
    if (opcode(b) == O_CONST) {
        int t = PyObject_IsTrue(VAL(b));
        return t < 0 ? NULL : t ? a : not_(c, a);
    }
    if (tid(a) > tid(b)) { PyObject *x = a; a = b; b = x; }
    return mk2(c, S_IFF, a, b, S_BOOL);
}

static PyObject *ite(Ctx *c, PyObject *i, PyObject *t, PyObject *e) {
    if (opcode(i) == O_CONST) {
        int b = PyObject_IsTrue(VAL(i));
        return b < 0 ? NULL : b ? t : e;
    }
    if (t == e) return t;
    if (opcode(i) == O_NOT) { PyObject *x = t; i = PyTuple_GET_ITEM(ARGS(i), 0); t = e; e = x; }
    if (SORTC(t) == SB) {
        if (t == c->t_true && e == c->t_false) return i;
        if (t == c->t_false && e == c->t_true) return not_(c, i);
    }
    PyObject *ab[3] = {i, t, e};
    return mk(c, S_ITE, ab, 3, Py_None, SORT(t));
}

static PyObject *add(Ctx *c, PyObject **a, int n) {
    PyObject *cst = ZERO, *r = NULL, *small[SMALL], **rest = small;
    Py_INCREF(cst);
    int nr = 0, caprest = SMALL, real = 0;
    if (room(&rest, &caprest, n + 1, small)) { Py_DECREF(cst); return NULL; }
    for (int k = 0; k < n; k++) {
        if (SORTC(a[k]) == SR) real = 1;
        int o = opcode(a[k]);
        if (o == O_CONST) {
            PyObject *s = PyNumber_Add(cst, VAL(a[k]));
            Py_DECREF(cst);
            if (!(cst = s)) goto out;
        } else if (o == O_ADD) {
            PyObject *args = ARGS(a[k]);
            Py_ssize_t m = PyTuple_GET_SIZE(args);
            if (room(&rest, &caprest, nr + (int)m + (n - k), small)) goto out;
            for (Py_ssize_t i = 0; i < m; i++) {
                PyObject *b = PyTuple_GET_ITEM(args, i);
                if (opcode(b) == O_CONST) {
                    PyObject *s = PyNumber_Add(cst, VAL(b));
                    Py_DECREF(cst);
                    if (!(cst = s)) goto out;
                } else {
                    rest[nr++] = b;
                }
            }
        } else {
            rest[nr++] = a[k];
        }
    }
    int nz = PyObject_RichCompareBool(cst, ZERO, Py_NE);
    if (nz < 0) goto out;
    if (nz || nr == 0) {
        PyObject *k = cnst(c, cst, real ? SR : SI);
        if (!k) goto out;
        rest[nr++] = k;
    }
    if (nr == 1) {
        r = rest[0];
    } else {
        r = mk(c, S_ADD, rest, nr, Py_None, real ? S_REAL : S_INT);
    }
out:
    Py_XDECREF(cst);
    if (rest != small) free(rest);
    return r;
}

/* mul(coef, a), coef borrowed */
static PyObject *mul(Ctx *c, PyObject *coef, PyObject *a) {
    int o = opcode(a);
    if (o == O_CONST) {
        PyObject *p = PyNumber_Multiply(coef, VAL(a));
        if (!p) return NULL;
        PyObject *r = cnst(c, p, SORTC(a));
        Py_DECREF(p);
        return r;
    }
    int e = PyObject_RichCompareBool(coef, ONE, Py_EQ);
    if (e) return e < 0 ? NULL : a;
    e = PyObject_RichCompareBool(coef, ZERO, Py_EQ);
    if (e) return e < 0 ? NULL : cnst(c, ZERO, SORTC(a));
    if (o == O_MUL) {
        PyObject *p = PyNumber_Multiply(coef, VAL(a));
        if (!p) return NULL;
        PyObject *r = mul(c, p, PyTuple_GET_ITEM(ARGS(a), 0));
        Py_DECREF(p);
        return r;
    }
    PyObject *k = SORTC(a) == SI ? PyNumber_Long(coef) : PyObject_CallOneArg(Fraction, coef);
    if (!k) return NULL;
    PyObject *r = mk1(c, S_MUL, a, k, SORT(a));
    Py_DECREF(k);
    return r;
}

/* _cmp(op, a, b) */
static PyObject *cmp(Ctx *c, int op, PyObject *a, PyObject *b) {
    if (opcode(a) == O_CONST && opcode(b) == O_CONST) {
        int r = PyObject_RichCompareBool(VAL(a), VAL(b), op == O_LE ? Py_LE : op == O_LT ? Py_LT : Py_EQ);
        return r < 0 ? NULL : r ? c->t_true : c->t_false;
    }
    if (op == O_EQ) {
        if (a == b) return c->t_true;
        if (tid(a) > tid(b)) { PyObject *x = a; a = b; b = x; }
    } else if (a == b) {
        return op == O_LE ? c->t_true : c->t_false;
    }
    return mk2(c, op == O_EQ ? S_EQ : op == O_LE ? S_LE : S_LT, a, b, S_BOOL);
}

/* ---- the parser's operators ------------------------------------------------------------- */
enum { K_NOT, K_AND, K_OR, K_IMPL, K_XOR, K_ITE, K_EQ, K_DISTINCT, K_LE, K_LT, K_GE, K_GT,
       K_ADD, K_SUB, K_MUL, K_OTHER_OP, K_NONE };

static int op_kind(Ctx *c, Node *nd) {
    if (nd->type != N_SYM) return K_NONE;
    const char *t = TXT(c, nd);
    Py_ssize_t l = LEN(nd);
#define W(w, k) if (l == (Py_ssize_t)sizeof(w) - 1 && memcmp(t, w, l) == 0) return k;
    W("not", K_NOT) W("and", K_AND) W("or", K_OR) W("=>", K_IMPL) W("xor", K_XOR)
    W("ite", K_ITE) W("=", K_EQ) W("distinct", K_DISTINCT) W("<=", K_LE) W("<", K_LT)
    W(">=", K_GE) W(">", K_GT) W("+", K_ADD) W("-", K_SUB) W("*", K_MUL)
    W("/", K_OTHER_OP) W("div", K_OTHER_OP) W("mod", K_OTHER_OP) W("abs", K_OTHER_OP)
#undef W
    return K_NONE;
}

/* names a let or a declaration must not take here (operators, reserved words, ...) */
static int special_name(const char *t, Py_ssize_t l) {
    static const char *words[] = {"not", "and", "or", "=>", "xor", "ite", "=", "distinct", "<=",
        "<", ">=", ">", "+", "-", "*", "/", "div", "mod", "abs", "!", "_", "as", "let", "exists",
        "forall", "match", "par", "BINARY", "DECIMAL", "HEXADECIMAL", "NUMERAL", "STRING",
        "true", "false", NULL};
    for (int k = 0; words[k]; k++)
        if ((Py_ssize_t)strlen(words[k]) == l && memcmp(words[k], t, l) == 0) return 1;
    return 0;
}

/* the sort of every argument: Bool (SB), all Int (SI), all Real (SR); else SX */
static int uniform(PyObject **a, int n) {
    int s = SORTC(a[0]);
    for (int k = 1; k < n; k++)
        if (SORTC(a[k]) != s) return SX;
    return s;
}
static int numbers(PyObject **a, int n) {
    int s = uniform(a, n);
    return s == SI || s == SR;
}
#define NUMBERS numbers

typedef PyObject *(*Make)(Ctx *, PyObject *, PyObject *);
static PyObject *m_eq(Ctx *c, PyObject *a, PyObject *b) {
    return SORTC(a) == SB ? iff(c, a, b) : cmp(c, O_EQ, a, b);
}
static PyObject *m_le(Ctx *c, PyObject *a, PyObject *b) { return cmp(c, O_LE, a, b); }
static PyObject *m_lt(Ctx *c, PyObject *a, PyObject *b) { return cmp(c, O_LT, a, b); }
static PyObject *m_ge(Ctx *c, PyObject *a, PyObject *b) { return cmp(c, O_LE, b, a); }
static PyObject *m_gt(Ctx *c, PyObject *a, PyObject *b) { return cmp(c, O_LT, b, a); }

static PyObject *chain(Ctx *c, PyObject **a, int n, Make make) {
    if (n < 2) return GIVE_UP;
    if (n == 2) {
        PyObject *t = make(c, a[0], a[1]);
        if (!t || opcode(t) != O_AND) return t;
        return junction(c, 1, &t, 1);
    }
    Junction j;
    junction_start(c, &j, 1);
    for (int k = 0; k + 1 < n && !j.done; k++) {
        PyObject *t = make(c, a[k], a[k + 1]);
        if (!t || junction_add(&j, t)) { junction_free(&j); return NULL; }
    }
    return junction_end(c, &j);
}

static PyObject *apply_op(Ctx *c, int k, PyObject **a, int n) {
    int s;
    switch (k) {
    case K_NOT:
        if (n != 1 || SORTC(a[0]) != SB) return GIVE_UP;
        return not_(c, a[0]);
    case K_AND:
    case K_OR:
    case K_IMPL:
    case K_XOR:
        if (uniform(a, n) != SB) return GIVE_UP;
        if (k == K_AND || k == K_OR) return junction(c, k == K_AND, a, n);
        if (n < 2) return GIVE_UP;
        if (k == K_IMPL) {
            PyObject *r = a[n - 1];
            for (int i = n - 2; i >= 0; i--) {
                PyObject *nt = not_(c, a[i]);
                if (!nt) return NULL;
                PyObject *pair[2] = {nt, r};
                if (!(r = junction(c, 0, pair, 2))) return NULL;
            }
            return r;
        } else {
            PyObject *r = a[0];
            for (int i = 1; i < n; i++) {
                PyObject *q = iff(c, r, a[i]);
                if (!q || !(r = not_(c, q))) return NULL;
            }
            return r;
        }
    case K_ITE:
        if (n != 3 || SORTC(a[0]) != SB) return GIVE_UP;
        s = uniform(a + 1, 2);
        if (s == SX) return GIVE_UP;
        return ite(c, a[0], a[1], a[2]);
    case K_EQ:
    case K_DISTINCT:
        if (n < 2 || uniform(a, n) == SX) return GIVE_UP;
        if (k == K_EQ) return chain(c, a, n, m_eq);
        {
            Junction j;
            junction_start(c, &j, 1);
            for (int i = 0; i < n && !j.done; i++)
                for (int m = i + 1; m < n && !j.done; m++) {
                    PyObject *e = m_eq(c, a[i], a[m]);
                    PyObject *ne = e ? not_(c, e) : NULL;
                    if (!ne || junction_add(&j, ne)) { junction_free(&j); return NULL; }
                }
            return junction_end(c, &j);
        }
    case K_LE: case K_LT: case K_GE: case K_GT:
        if (!NUMBERS(a, n)) return GIVE_UP;
        return chain(c, a, n, k == K_LE ? m_le : k == K_LT ? m_lt : k == K_GE ? m_ge : m_gt);
    case K_ADD:
        if (!NUMBERS(a, n)) return GIVE_UP;
        return add(c, a, n);
    case K_SUB:
        if (!NUMBERS(a, n)) return GIVE_UP;
        if (n == 1) return mul(c, MINUS_ONE, a[0]);
        {
            PyObject *small[SMALL], **b = n <= SMALL ? small : malloc(n * sizeof(PyObject *)), *r = NULL;
            if (!b) return PyErr_NoMemory();
            b[0] = a[0];
            int i = 1;
            while (i < n && (b[i] = mul(c, MINUS_ONE, a[i]))) i++;
            if (i == n) r = add(c, b, n);
            if (b != small) free(b);
            return r;
        }
    case K_MUL: {
        if (!NUMBERS(a, n)) return GIVE_UP;
        PyObject *coef = ONE, *rest = NULL;
        Py_INCREF(coef);
        for (int i = 0; i < n; i++) {
            if (opcode(a[i]) == O_CONST) {
                PyObject *p = PyNumber_Multiply(coef, VAL(a[i]));
                Py_DECREF(coef);
                if (!(coef = p)) return NULL;
            } else if (!rest) {
                rest = a[i];
            } else {
                Py_DECREF(coef);
                return GIVE_UP; /* non-linear: the parser reports it */
            }
        }
        PyObject *r = rest ? mul(c, coef, rest) : cnst(c, coef, SORTC(a[0]));
        Py_DECREF(coef);
        return r;
    }
    default:
        return GIVE_UP;
    }
}

/* ---- terms -------------------------------------------------------------------------------- */
static PyObject *numeral(Ctx *c, Node *nd, int negative) {
    Entry *e = map_find(&c->nums, TXT(c, nd), LEN(nd), 1);
    if (!e) return PyErr_NoMemory();
    if (e->sym) return e->sym;
    const char *t = TXT(c, nd);
    Py_ssize_t l = LEN(nd), k = negative;
    if (l > 4000) return GIVE_UP; /* MAX_NUMERAL_DIGITS, the sign counted */
    /* _NUMERAL: 0|[1-9][0-9]*, _DECIMAL: [0-9]+\.[0-9]+, _NEGATIVE: -NUMERAL(\.[0-9]+)? */
    Py_ssize_t d0 = k;
    while (k < l && t[k] >= '0' && t[k] <= '9') k++;
    Py_ssize_t digits = k - d0;
    if (digits == 0) return GIVE_UP;
    int lead_ok = !(t[d0] == '0' && digits > 1);
    PyObject *r;
    if (k == l) {
        if (!lead_ok) return GIVE_UP;
        PyObject *v;
        if (l <= 18) {
            char buf[24];
            memcpy(buf, t, l);
            buf[l] = 0;
            v = PyLong_FromLongLong(strtoll(buf, NULL, 10));
        } else {
            PyObject *s = PyUnicode_FromStringAndSize(t, l);
            v = s ? PyLong_FromUnicodeObject(s, 10) : NULL;
            Py_XDECREF(s);
        }
        if (!v) return NULL;
        r = cnst(c, v, c->numeral_sort);
        Py_DECREF(v);
    } else {
        if (t[k] != '.' || (negative && !lead_ok)) return GIVE_UP;
        Py_ssize_t f0 = ++k;
        while (k < l && t[k] >= '0' && t[k] <= '9') k++;
        if (k != l || k == f0) return GIVE_UP;
        PyObject *s = PyUnicode_FromStringAndSize(t, l);
        PyObject *v = s ? PyObject_CallOneArg(Fraction, s) : NULL;
        Py_XDECREF(s);
        if (!v) return NULL;
        r = cnst(c, v, SR);
        Py_DECREF(v);
    }
    e->sym = r;
    return r;
}

static PyObject *atom(Ctx *c, Node *nd) {
    if (nd->type == N_STR) return GIVE_UP;
    const unsigned char *t = c->s + nd->a;
    Py_ssize_t l = LEN(nd);
    if (nd->type == N_SYM) {
        if (t[0] >= 0x80 || t[0] == '#' || t[0] == ':') return GIVE_UP;
        if (t[0] >= '0' && t[0] <= '9') return numeral(c, nd, 0);
    }
    Entry *e = map_find(&c->names, (const char *)t, l, 0);
    if (e && e->nlets) return e->lets[e->nlets - 1];
    if (e && e->sym) return e->sym;
    if (nd->type != N_SYM) return GIVE_UP;
    if (l == 4 && memcmp(t, "true", 4) == 0) return c->t_true;
    if (l == 5 && memcmp(t, "false", 5) == 0) return c->t_false;
    if (t[0] == '-' && l > 1) return numeral(c, nd, 1);
    return GIVE_UP;
}

static PyObject *term(Ctx *c, Node *nd);

static PyObject *let(Ctx *c, Node *x) {
    if (x->nk != 3) return GIVE_UP;
    Node *bs = KID(c, x, 1);
    if (bs->type != N_LIST || bs->nk == 0) return GIVE_UP;
    int nb = bs->nk;
    PyObject **vals = malloc(nb * sizeof(PyObject *));
    Entry **es = malloc(nb * sizeof(Entry *));
    PyObject *r = NULL;
    int pushed = 0;
    if (!vals || !es) { PyErr_NoMemory(); goto out; }
    for (int k = 0; k < nb; k++) {
        Node *b = KID(c, bs, k);
        if (b->type != N_LIST || b->nk != 2) goto out;
        Node *name = KID(c, b, 0);
        if (name->type == N_STR || name->type == N_LIST) goto out;
        const unsigned char *t = c->s + name->a;
        if (name->type == N_SYM && ((t[0] >= '0' && t[0] <= '9') || t[0] == ':' || t[0] >= 0x80))
            goto out;
        if (special_name((const char *)t, LEN(name))) goto out;
        for (int m = 0; m < k; m++) {
            Node *o = KID(c, KID(c, bs, m), 0);
            if (LEN(o) == LEN(name) && memcmp(c->s + o->a, t, LEN(name)) == 0) goto out;
        }
        if (!(es[k] = map_find(&c->names, (const char *)t, LEN(name), 1))) { PyErr_NoMemory(); goto out; }
    }
    for (int k = 0; k < nb; k++)
        if (!(vals[k] = term(c, KID(c, KID(c, bs, k), 1)))) goto out;
    for (; pushed < nb; pushed++) {
        Entry *e = es[pushed];
        if (grow((void **)&e->lets, &e->caplets, e->nlets + 1, sizeof(PyObject *))) goto out;
        e->lets[e->nlets++] = vals[pushed];
    }
    r = term(c, KID(c, x, 2));
out:
    for (int k = 0; k < pushed; k++) es[k]->nlets--;
    free(vals);
    free(es);
    return r;
}

static PyObject *app(Ctx *c, Node *x) {
    if (x->nk == 0) return GIVE_UP;
    Node *head = KID(c, x, 0);
    int k = op_kind(c, head);
    PyObject *fun = NULL;
    if (k == K_NONE) {
        if (head->type != N_SYM) return GIVE_UP;
        if (is(c, head, "let")) return let(c, x);
        Entry *e = map_find(&c->names, TXT(c, head), LEN(head), 0);
        if (!e || e->nlets || !e->fun) return GIVE_UP;
        fun = e->fun;
        if (PyTuple_GET_SIZE(ARGS(fun)) != x->nk - 1) return GIVE_UP;
    }
    int n = x->nk - 1;
    if (n == 0) return GIVE_UP;
    PyObject *small[SMALL], **a = n <= SMALL ? small : malloc(n * sizeof(PyObject *));
    PyObject *r = NULL;
    if (!a) return PyErr_NoMemory();
    if (++c->depth > MAX_DEPTH) goto out;
    for (int i = 0; i < n; i++)
        if (!(a[i] = term(c, KID(c, x, i + 1)))) goto out;
    if (fun) {
        PyObject *formals = ARGS(fun);
        for (int i = 0; i < n; i++)
            if (SORTC(PyTuple_GET_ITEM(formals, i)) != SORTC(a[i])) goto out;
        r = mk(c, S_APPLY, a, n, VAL(fun), SORT(fun));
        goto out;
    }
    r = apply_op(c, k, a, n);
    if (r && k >= K_EQ && k <= K_GT) { /* _ATOM_OPS: their first source position */
        /* atom_pos.setdefault(r, pos) while r is in the cache; the atoms it added are kept,
         * to be taken out again on giving up */
        PyObject *pos = PyLong_FromSsize_t(x->pos), *got = pos ? PyDict_SetDefault(c->atom_pos, r, pos) : NULL;
        if (!got || (got == pos && grow((void **)&c->atoms, &c->capatoms, c->natoms + 1, sizeof(Atom))))
            r = NULL;
        else if (got == pos)
            c->atoms[c->natoms++].t = r;
        Py_XDECREF(pos);
    }
out:
    c->depth--;
    if (a != small) free(a);
    return r;
}

static PyObject *term(Ctx *c, Node *nd) {
    return nd->type == N_LIST ? app(c, nd) : atom(c, nd);
}

/* ---- commands ------------------------------------------------------------------------------ */
enum { R_PURE, R_ACTION, R_EXIT, R_GIVE_UP = -1 };

/* Parser.symbol: a symbol, not a list, string literal, numeral or keyword */
static int symbol_ok(Ctx *c, Node *nd) {
    if (nd->type == N_LIST || nd->type == N_STR) return 0;
    unsigned char ch = c->s[nd->a];
    return nd->type == N_QSYM || !((ch >= '0' && ch <= '9') || ch == ':' || ch >= 0x80);
}

static int want_of(PyObject *logic) { /* the sort SUPPORTED_LOGICS gives the logic; SX: any */
    if (logic == Py_None) return SX;
    PyObject *w = PyDict_GetItemWithError(Logics, logic);
    return w && w != Py_None ? sortcode_of(w) : SX;
}

/* Parser.sort: Bool, Int or Real, in the logic; -1: give up */
static int sort_of(Ctx *c, Node *nd) {
    int s = is(c, nd, "Bool") ? SB : is(c, nd, "Int") ? SI : is(c, nd, "Real") ? SR : -1;
    if (s < 0 || s == SB || c->logic == Py_None) return s;
    int want = want_of(c->logic);
    return want != SX && want != s ? -1 : s;
}

/* Parser.fresh_name: the name's entry (NULL: give up) */
static Entry *fresh(Ctx *c, Node *nd) {
    if (!symbol_ok(c, nd) || special_name(TXT(c, nd), LEN(nd))) return NULL;
    Entry *e = map_find(&c->names, TXT(c, nd), LEN(nd), 1);
    if (!e) { PyErr_NoMemory(); return NULL; }
    return e->sym || e->fun ? NULL : e;
}

static int append_bind(PyObject *binds, int fun, PyObject *name, PyObject *value) {
    PyObject *b = PyTuple_Pack(3, fun ? Py_True : Py_False, name, value);
    int r = b ? PyList_Append(binds, b) : -1;
    Py_XDECREF(b);
    return r;
}

/* the keyword and value of set-info / set-option (new references), 0 or -1 */
static int keyword_value(Ctx *c, Node *x, PyObject **key, PyObject **value) {
    *key = *value = NULL;
    if (x->nk < 2) return -1;
    Node *k = KID(c, x, 1);
    if (k->type != N_SYM || c->s[k->a] != ':') return -1;
    if (x->nk > 2 && KID(c, x, 2)->type == N_LIST) return -1;
    if (!(*key = text_of(c, k))) return -1;
    if (x->nk > 2) {
        if (!(*value = atom_value(c, KID(c, x, 2)))) { Py_CLEAR(*key); return -1; }
    } else {
        Py_INCREF(Py_None);
        *value = Py_None;
    }
    return 0;
}

static int command(Ctx *c, Node *x, Py_ssize_t end, PyObject *cmds, PyObject *binds,
                   PyObject *decls) {
    if (x->nk == 0) return R_GIVE_UP;
    Node *h = KID(c, x, 0);
    int n = x->nk - 1, rc = R_PURE;
    PyObject *name = NULL, *args = NULL;
    if (h->type != N_SYM) return R_GIVE_UP;
    if (is(c, h, "assert")) {
        if (n != 1) return R_GIVE_UP;
        PyObject *t = term(c, KID(c, x, 1));
        if (!t || SORTC(t) != SB) return R_GIVE_UP;
        name = C_assert;
        args = PyTuple_Pack(2, t, EMPTY);
    } else if (is(c, h, "declare-fun") || is(c, h, "declare-const")) {
        int fn = is(c, h, "declare-fun");
        if (n != (fn ? 3 : 2)) return R_GIVE_UP;
        Node *nm = KID(c, x, 1);
        Entry *e = fresh(c, nm);
        if (!e) return R_GIVE_UP;
        Node *params = fn ? KID(c, x, 2) : NULL;
        if (fn && params->type != N_LIST) return R_GIVE_UP;
        PyObject *sym = text_of(c, nm);
        if (!sym) return R_GIVE_UP;
        if (fn && params->nk) { /* an uninterpreted function */
            PyObject *formals = PyList_New(params->nk), *body = NULL;
            int ok = formals != NULL;
            for (int k = 0; ok && k < params->nk; k++) {
                int s = sort_of(c, KID(c, params, k));
                PyObject *key = s < 0 || s == SR ? NULL : Py_BuildValue("(Oi)", sym, k);
                PyObject *p = NULL;
                if (key) {
                    p = mk(c, S_PARAM, NULL, 0, key, sort_obj(s));
                    Py_DECREF(key);
                }
                if (!p) { ok = 0; break; }
                Py_INCREF(p);
                PyList_SET_ITEM(formals, k, p);
            }
            int rs = ok ? sort_of(c, KID(c, x, 3)) : -1;
            if (rs >= 0 && rs != SR)
                body = mk(c, S_APPLY, PySequence_Fast_ITEMS(formals), params->nk, sym, sort_obj(rs));
            PyObject *value = body ? Py_BuildValue("(OO)", formals, body) : NULL;
            int err = !value || append_bind(binds, 1, sym, value);
            Py_XDECREF(value);
            Py_XDECREF(formals);
            Py_DECREF(sym);
            if (err) return R_GIVE_UP;
            e->fun = body;
            return R_PURE; /* no command: Parser.command returns None */
        }
        int s = sort_of(c, KID(c, x, fn ? 3 : 2));
        PyObject *v = NULL;
        if (s >= 0) {
            v = mk(c, S_VAR, NULL, 0, sym, sort_obj(s));
        }
        int err = !v || append_bind(binds, 0, sym, v) || PyList_Append(decls, v);
        Py_DECREF(sym);
        if (err) return R_GIVE_UP;
        e->sym = v;
        name = C_declare;
        args = PyTuple_Pack(1, v);
    } else if (is(c, h, "set-info") || is(c, h, "set-option")) {
        int info = is(c, h, "set-info");
        PyObject *key, *value;
        if (keyword_value(c, x, &key, &value)) return R_GIVE_UP;
        int bad = 0;
        if (info) {
            if (PyUnicode_CompareWithASCIIString(key, ":status") == 0 && n == 2) {
                Node *v = KID(c, x, 2);
                if (v->type == N_SYM && (is(c, v, "sat") || is(c, v, "unsat") || is(c, v, "unknown"))) {
                    Py_INCREF(value);
                    Py_SETREF(c->status, value);
                } else {
                    bad = 1;
                }
            }
        } else {
            bad = PyDict_Contains(KnownOptions, key) != 1 ||
                  PyUnicode_CompareWithASCIIString(key, ":global-declarations") == 0;
        }
        if (!bad) args = PyTuple_Pack(2, key, value);
        Py_DECREF(key);
        Py_DECREF(value);
        if (bad) return R_GIVE_UP;
        name = info ? C_set_info : C_set_option;
    } else if (is(c, h, "set-logic")) {
        if (n != 1 || !symbol_ok(c, KID(c, x, 1)) || c->logic != Py_None) return R_GIVE_UP;
        PyObject *logic = text_of(c, KID(c, x, 1));
        if (!logic) return R_GIVE_UP;
        if (PyDict_Contains(Logics, logic) != 1) { Py_DECREF(logic); return R_GIVE_UP; }
        Py_SETREF(c->logic, logic);
        int ns = want_of(logic) == SR ? SR : SI;
        if (ns != c->numeral_sort) { map_free(&c->nums); c->numeral_sort = ns; }
        name = C_set_logic;
        args = PyTuple_Pack(1, logic);
    } else if (is(c, h, "check-sat") || is(c, h, "get-model") || is(c, h, "exit")) {
        if (n != 0) return R_GIVE_UP;
        name = is(c, h, "check-sat") ? C_check_sat : is(c, h, "get-model") ? C_get_model : C_exit;
        rc = name == C_exit ? R_EXIT : R_ACTION;
        Py_INCREF(EMPTY);
        args = EMPTY;
    } else {
        return R_GIVE_UP;
    }
    if (!args) return R_GIVE_UP;
    PyObject_GC_UnTrack(args); /* (terms and strings: in no cycle) */
    /* Command(name, args, pos, end), its fields set as its __init__ sets them; a command
     * leads to no container that leads back to it, so the collector need not visit it. */
    PyObject *cmd = CommandType->tp_alloc(CommandType, 0);
    PyObject *pos = PyLong_FromSsize_t(x->pos), *e = PyLong_FromSsize_t(end);
    if (!cmd || !pos || !e) {
        Py_XDECREF(cmd);
        Py_XDECREF(pos);
        Py_XDECREF(e);
        Py_DECREF(args);
        return R_GIVE_UP;
    }
    Py_INCREF(name);
    SLOT(cmd, off_name) = name;
    SLOT(cmd, off_cargs) = args;
    SLOT(cmd, off_pos) = pos;
    SLOT(cmd, off_end) = e;
    PyObject_GC_UnTrack(cmd);
    int err = PyList_Append(cmds, cmd);
    Py_DECREF(cmd);
    return err ? R_GIVE_UP : rc;
}

/* the caller's symbol tables (a session's earlier segments); 0, or -1: give up */
static int load_names(Ctx *c, PyObject *symbols, PyObject *functions) {
    PyObject *k, *v;
    Py_ssize_t i = 0;
    while (PyDict_Next(symbols, &i, &k, &v)) {
        if (!PyUnicode_Check(k) || PyUnicode_KIND(k) != PyUnicode_1BYTE_KIND ||
            !PyObject_TypeCheck(v, TermType))
            return -1;
        Entry *e = map_find(&c->names, (const char *)PyUnicode_1BYTE_DATA(k), PyUnicode_GET_LENGTH(k), 1);
        if (!e) return -1;
        e->sym = v;
    }
    i = 0;
    while (PyDict_Next(functions, &i, &k, &v)) {
        if (!PyUnicode_Check(k) || PyUnicode_KIND(k) != PyUnicode_1BYTE_KIND ||
            !PyTuple_Check(v) || PyTuple_GET_SIZE(v) != 2)
            return -1;
        PyObject *formals = PyTuple_GET_ITEM(v, 0), *body = PyTuple_GET_ITEM(v, 1);
        if (!PyList_Check(formals) || !PyObject_TypeCheck(body, TermType) || opcode(body) != O_APPLY)
            return -1;
        PyObject *args = ARGS(body);
        if (PyTuple_GET_SIZE(args) != PyList_GET_SIZE(formals)) return -1;
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(args); j++) /* a declare-fun, not a define-fun */
            if (PyTuple_GET_ITEM(args, j) != PyList_GET_ITEM(formals, j) ||
                opcode(PyTuple_GET_ITEM(args, j)) != O_PARAM)
                return -1;
        Entry *e = map_find(&c->names, (const char *)PyUnicode_1BYTE_DATA(k), PyUnicode_GET_LENGTH(k), 1);
        if (!e) return -1;
        e->fun = body;
    }
    return 0;
}

static PyObject *elaborate(PyObject *self, PyObject *a) {
    PyObject *text, *table, *t_true, *t_false, *logic, *status, *symbols, *functions, *atom_pos,
        *level;
    Py_ssize_t start;
    int stop;
    if (!PyArg_ParseTuple(a, "UnpO!OOOOO!O!O!O", &text, &start, &stop, &PyDict_Type, &table,
                          &t_true, &t_false, &logic, &status, &PyDict_Type, &symbols,
                          &PyDict_Type, &functions, &PyDict_Type, &atom_pos, &level))
        return NULL;
    if (level != Py_None && !PyList_Check(level)) {
        PyErr_SetString(PyExc_TypeError, "elaborate: level must be a list or None");
        return NULL;
    }
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "smtparse.setup() was not called");
        return NULL;
    }
    if (PyUnicode_READY(text) < 0) return NULL;
    if (PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND) Py_RETURN_NONE;
    int gc_was = PyGC_Disable(); /* (no cycles are made here; a collection would only visit) */
    Ctx c;
    memset(&c, 0, sizeof c);
    c.s = PyUnicode_1BYTE_DATA(text);
    c.n = PyUnicode_GET_LENGTH(text);
    c.table = table;
    c.atom_pos = atom_pos;
    c.t_true = t_true;
    c.t_false = t_false;
    Py_INCREF(logic);
    c.logic = logic;
    Py_INCREF(status);
    c.status = status;
    c.numeral_sort = want_of(logic) == SR ? SR : SI;
    Py_ssize_t first_id = PyDict_GET_SIZE(table); /* ids from here on are this call's */
    c.recent = calloc(RECENT, sizeof(struct Recent));
    PyObject *cmds = PyList_New(0), *binds = PyList_New(0), *decls = PyList_New(0), *res = NULL;
    Py_ssize_t p = start;
    int exited = 0, ok = 0, read = 0;
    if (!cmds || !binds || !decls || !c.recent || PyErr_Occurred()) goto done;
    if (load_names(&c, symbols, functions)) goto done;
    while (skip(&c, &p)) {
        if (c.s[p] != '(' || exited) goto done; /* (parse: what follows exit, the parser reads) */
        int root = read_command(&c, &p);
        if (root < 0) goto done;
        int rc = command(&c, &c.nodes[root], p, cmds, binds, decls);
        if (rc == R_GIVE_UP) goto done;
        read++;
        if (rc == R_EXIT) exited = 1;
        if (stop && rc != R_PURE) break;
    }
    /* The table and atom_pos hold terms, which lead back to neither: the collector need not
     * visit them (a dict is tracked again when a tracked object is put into it). */
    if (PyObject_GC_IsTracked(table)) PyObject_GC_UnTrack(table);
    if (PyObject_GC_IsTracked(atom_pos)) PyObject_GC_UnTrack(atom_pos);
    /* Parser.bind of each declaration, in order: into symbols or functions, and onto the
     * assertion level (level: None under :global-declarations) */
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(binds); k++) {
        PyObject *b = PyList_GET_ITEM(binds, k), *name = PyTuple_GET_ITEM(b, 1);
        PyObject *into = PyTuple_GET_ITEM(b, 0) == Py_True ? functions : symbols;
        if (PyDict_SetItem(into, name, PyTuple_GET_ITEM(b, 2))) goto done;
        if (level != Py_None) {
            PyObject *undo = PyTuple_Pack(2, into, name);
            int err = !undo || PyList_Append(level, undo);
            Py_XDECREF(undo);
            if (err) goto done;
        }
    }
    ok = 1;
    res = Py_BuildValue("(nOOOOii)", p, cmds, decls, c.logic, c.status, exited, read);
done:
    if (!ok) { /* give up: the table as it was (the Python parser makes the same ids) */
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        for (int m = 0; m < c.natoms; m++) /* the atoms put into atom_pos here */
            if (PyDict_DelItem(atom_pos, c.atoms[m].t)) PyErr_Clear();
        PyObject *added = PyList_New(0), *k, *v; /* the keys of the terms made here */
        Py_ssize_t i = 0;
        while (added && PyDict_Next(table, &i, &k, &v))
            if (PyObject_TypeCheck(v, TermType) && tid(v) >= first_id && PyList_Append(added, k))
                Py_CLEAR(added);
        for (Py_ssize_t j = 0; added && j < PyList_GET_SIZE(added); j++)
            if (PyDict_DelItem(table, PyList_GET_ITEM(added, j))) PyErr_Clear();
        Py_XDECREF(added);
        PyErr_Restore(et, ev, tb);
        if (!PyErr_Occurred()) {
            Py_INCREF(Py_None);
            res = Py_None;
        }
    }
    Py_XDECREF(cmds);
    Py_XDECREF(binds);
    Py_XDECREF(decls);
    Py_XDECREF(c.logic);
    Py_XDECREF(c.status);
    map_free(&c.names);
    map_free(&c.nums);
    free(c.nodes);
    free(c.kids);
    free(c.tmp);
    free(c.atoms);
    free(c.recent);
    if (gc_was) PyGC_Enable();
    return res;
}

static int member_offset(PyObject *type, const char *name, Py_ssize_t *off) {
    PyObject *d = PyObject_GetAttrString(type, name);
    if (!d) return -1;
    int ok = Py_IS_TYPE(d, &PyMemberDescr_Type) &&
             ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX;
    if (ok) *off = ((PyMemberDescrObject *)d)->d_member->offset;
    Py_DECREF(d);
    if (!ok) PyErr_Format(PyExc_TypeError, "%s is not a __slots__ member", name);
    return ok ? 0 : -1;
}

/* setup(Term, Command, QSymbol, String, Fraction, ops, sorts, logics, known_options) */
static PyObject *setup(PyObject *self, PyObject *a) {
    PyObject *term, *command, *qsym, *string, *fraction, *ops, *sorts, *logics, *known;
    if (!PyArg_ParseTuple(a, "O!O!O!O!OO!O!O!O!", &PyType_Type, &term, &PyType_Type, &command,
                          &PyType_Type, &qsym, &PyType_Type, &string, &fraction, &PyTuple_Type,
                          &ops, &PyTuple_Type, &sorts, &PyDict_Type, &logics, &PyDict_Type, &known))
        return NULL;
    if (PyTuple_GET_SIZE(ops) != O_OTHER || PyTuple_GET_SIZE(sorts) != 3) {
        PyErr_SetString(PyExc_ValueError, "setup: 14 operators and 3 sorts expected");
        return NULL;
    }
    if (member_offset(term, "op", &off_op) || member_offset(term, "args", &off_args) ||
        member_offset(term, "val", &off_val) || member_offset(term, "sort", &off_sort) ||
        member_offset(term, "id", &off_id) || member_offset(command, "name", &off_name) ||
        member_offset(command, "args", &off_cargs) || member_offset(command, "pos", &off_pos) ||
        member_offset(command, "end", &off_end))
        return NULL;
    if (((PyTypeObject *)command)->tp_basicsize != (Py_ssize_t)sizeof(PyObject) + 4 * sizeof(PyObject *) ||
        !PyType_IS_GC((PyTypeObject *)command) || !PyType_IS_GC((PyTypeObject *)term)) {
        PyErr_SetString(PyExc_TypeError, "setup: Command has other fields than name, args, pos, end");
        return NULL;
    }
    PyObject **keep[] = {(PyObject **)&TermType, (PyObject **)&CommandType, &QSymbolType,
                         &StringType, &Fraction, &Logics, &KnownOptions};
    PyObject *vals[] = {term, command, qsym, string, fraction, logics, known};
    for (int k = 0; k < 7; k++) { Py_INCREF(vals[k]); Py_XSETREF(*keep[k], vals[k]); }
    for (int k = 0; k < O_OTHER; k++) {
        Py_INCREF(PyTuple_GET_ITEM(ops, k));
        Py_XSETREF(*OPS[k], PyTuple_GET_ITEM(ops, k));
    }
    for (opshift = 3; opshift < 16; opshift++) { /* the first shift without a collision */
        int k = 0;
        memset(opcache, 0, sizeof opcache);
        while (k < O_OTHER && !opcache[OPSLOT(*OPS[k])].op) {
            opcache[OPSLOT(*OPS[k])].op = *OPS[k];
            opcache[OPSLOT(*OPS[k])].code = k;
            k++;
        }
        if (k == O_OTHER) break;
    }
    if (opshift == 16) { /* (none: the first operators in the cache, the rest looked up) */
        opshift = 4;
        memset(opcache, 0, sizeof opcache);
        for (int k = O_OTHER - 1; k >= 0; k--) {
            opcache[OPSLOT(*OPS[k])].op = *OPS[k];
            opcache[OPSLOT(*OPS[k])].code = k;
        }
    }
    PyObject **sp[] = {&S_BOOL, &S_INT, &S_REAL};
    for (int k = 0; k < 3; k++) { Py_INCREF(PyTuple_GET_ITEM(sorts, k)); Py_XSETREF(*sp[k], PyTuple_GET_ITEM(sorts, k)); }
    /* key_hash against CPython's on keys of setup's objects (a term's hash must be object's) */
    fast_hash = 0;
    if (((PyTypeObject *)term)->tp_hash == PyBaseObject_Type.tp_hash) {
        PyObject *inner = PyTuple_Pack(3, term, command, fraction); /* (hashed by address) */
        PyObject *key = inner ? PyTuple_Pack(5, S_ADD, inner, Py_None, S_INT, (PyObject *)Py_TYPE(Py_None)) : NULL;
        PyObject *key2 = key ? PyTuple_Pack(5, S_CONST, EMPTY, ONE, S_REAL, (PyObject *)&PyLong_Type) : NULL;
        int same = 0;
        if (key2 && PyObject_Hash(term) == (Py_hash_t)pointer_hash(term)) {
            fast_hash = 1;
            same = key_hash(key) == PyObject_Hash(key) && key_hash(key2) == PyObject_Hash(key2);
        }
        fast_hash = same && !PyErr_Occurred();
        PyErr_Clear();
        Py_XDECREF(inner);
        Py_XDECREF(key);
        Py_XDECREF(key2);
    }
    ready = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"setup", setup, METH_VARARGS, "Hand over the classes and constants of eagersmt."},
    {"elaborate", elaborate, METH_VARARGS, "Elaborate commands of a text (see the source)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "smtparse", NULL, -1, methods};

PyMODINIT_FUNC PyInit_smtparse(void) {
    for (int ch = 0; ch < 256; ch++)
        cls[ch] = Py_UNICODE_ISSPACE(ch) ? C_SPACE : ch == '(' ? C_OPEN : ch == ')' ? C_CLOSE :
                  ch == '|' ? C_BAR : ch == '"' ? C_QUOTE : ch == ';' ? C_SEMI : ch == 0 ? C_END : C_SYM;
    EMPTY = PyTuple_New(0);
    ZERO = PyLong_FromLong(0);
    ONE = PyLong_FromLong(1);
    MINUS_ONE = PyLong_FromLong(-1);
    C_set_logic = PyUnicode_InternFromString("set-logic");
    C_set_info = PyUnicode_InternFromString("set-info");
    C_set_option = PyUnicode_InternFromString("set-option");
    C_declare = PyUnicode_InternFromString("declare");
    C_assert = PyUnicode_InternFromString("assert");
    C_check_sat = PyUnicode_InternFromString("check-sat");
    C_get_model = PyUnicode_InternFromString("get-model");
    C_exit = PyUnicode_InternFromString("exit");
    if (PyErr_Occurred()) return NULL;
    return PyModule_Create(&module);
}
