/* The compact order encoding's clauses of one difference constraint, in C: le_clauses of
 * eagersmt/encode/compact.py (its _rows inlined as rows below), appending to the same list
 * the same clauses in the same order, each the same list or tuple of the same literals.
 * The encoder calls it once per guarded constraint (its Python twin stays the reference:
 * check-proof's trust base, and the encoder's path where this one cannot be built); the
 * differential test tests/test_compact.py guards the copy.
 *
 * le_clauses(X, Y, k, guard, q0, q1, out): X and Y layouts (hb, n, lb, B), out a list;
 * returns out.  Cost: one Python object per clause, one per distinct literal of the call,
 * no Python call.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef long long ll;

/* The Python ints of one call's literals, made once each: a call's clauses repeat its guard,
 * q literals and digit literals many times.  Open addressing by value; once it is 3/4 full,
 * further values get ints of their own. */
#define CACHE 512
typedef struct {
    ll value[CACHE];
    PyObject *obj[CACHE];
    int used[CACHE]; /* the slots taken, n of them */
    int n;
} Cache;

static Cache *CUR; /* the call's (le_clauses runs with the GIL held: one call at a time) */

static void cache_clear(Cache *c) {
    for (int k = 0; k < c->n; k++) {
        Py_DECREF(c->obj[c->used[k]]);
        c->obj[c->used[k]] = NULL;
    }
    c->n = 0;
}

static PyObject *int_of(ll v) {
    unsigned i = (unsigned)((unsigned long long)v * 0x9E3779B97F4A7C15ull >> 55) & (CACHE - 1);
    for (;;) {
        PyObject *o = CUR->obj[i];
        if (!o) break;
        if (CUR->value[i] == v) {
            Py_INCREF(o);
            return o;
        }
        i = (i + 1) & (CACHE - 1);
    }
    PyObject *o = PyLong_FromLongLong(v);
    if (o && CUR->n < CACHE * 3 / 4) {
        CUR->value[i] = v;
        CUR->obj[i] = o;
        CUR->used[CUR->n++] = (int)i;
        Py_INCREF(o);
    }
    return o;
}

/* Append a clause of the n literals lits to out, as a list (list != 0) or a tuple: 0, or -1
 * with a Python exception set. */
static int put(PyObject *out, const ll *lits, int n, int list) {
    PyObject *cl = list ? PyList_New(n) : PyTuple_New(n);
    if (!cl) return -1;
    for (int i = 0; i < n; i++) {
        PyObject *v = int_of(lits[i]);
        if (!v) {
            Py_DECREF(cl);
            return -1;
        }
        if (list)
            PyList_SET_ITEM(cl, i, v);
        else
            PyTuple_SET_ITEM(cl, i, v);
    }
    int r = PyList_Append(out, cl);
    Py_DECREF(cl);
    return r;
}

/* A clause under construction: literals appended one by one, some only when not 0 (pre, post
 * and the guard of compact.py, where 0 means none). */
typedef struct {
    ll lits[4];
    int n;
} Clause;

#define ADD(c, lit) ((c).lits[(c).n++] = (lit))
#define ADD_IF(c, lit) ((lit) ? ADD(c, lit) : 0)

/* compact.py's _rows: pre or not [Y1 <= a] or [X1 <= a + off] or post, for a in [0, yn],
 * less those the ladder axioms imply. */
static int rows(PyObject *out, ll pre, ll yh, ll yn, ll xh, ll xn, ll off, ll post) {
    ll lo = -off;
    if (lo < 0)
        lo = 0;
    else if (lo > yn)
        lo = yn;
    ll hi = xn - off;
    if (hi > yn) hi = yn;
    if (hi < lo) hi = lo;
    if (lo) {
        Clause c = {{0}, 0};
        ADD_IF(c, pre);
        ADD(c, -(yh + lo - 1));
        ADD_IF(c, post);
        if (put(out, c.lits, c.n, 1)) return -1;
    }
    for (ll i = 0; i < hi - lo; i++) {
        Clause c = {{0}, 0};
        ADD_IF(c, pre);
        ADD(c, -(yh + lo + i));
        ADD(c, xh + lo + off + i);
        ADD_IF(c, post);
        if (put(out, c.lits, c.n, 0)) return -1;
    }
    if (hi == yn) {
        ll a = yn + off;
        if (a < xn) {
            Clause c = {{0}, 0};
            ADD_IF(c, pre);
            if (a >= 0) ADD(c, xh + a);
            ADD_IF(c, post);
            if (put(out, c.lits, c.n, 1)) return -1;
        }
    }
    return 0;
}

static int clauses_of(PyObject *out, ll xh, ll xn, ll xl, ll B, ll yh, ll yn, ll yl, ll k,
                      ll guard, ll q0, ll q1);

static PyObject *le_clauses(PyObject *self, PyObject *args) {
    ll xh, xn, xl, B, yh, yn, yl, yB, k, guard, q0, q1;
    PyObject *out;
    (void)self;
    if (!PyArg_ParseTuple(args, "(LLLL)(LLLL)LLLLO!:le_clauses", &xh, &xn, &xl, &B, &yh, &yn,
                          &yl, &yB, &k, &guard, &q0, &q1, &PyList_Type, &out))
        return NULL;
    if (B <= 0) {
        PyErr_SetString(PyExc_ValueError, "base must be positive");
        return NULL;
    }
    static Cache cache; /* (empty between calls) */
    CUR = &cache;
    int failed = clauses_of(out, xh, xn, xl, B, yh, yn, yl, k, guard, q0, q1);
    cache_clear(&cache);
    CUR = NULL;
    if (failed) return NULL;
    Py_INCREF(out);
    return out;
}

static int clauses_of(PyObject *out, ll xh, ll xn, ll xl, ll B, ll yh, ll yn, ll yl, ll k,
                      ll guard, ll q0, ll q1) {
    ll k1 = k / B, k0 = k % B; /* Python's divmod: floor */
    if (k0 < 0) {
        k0 += B;
        k1 -= 1;
    }
    ll g = -guard;
    if (k0) {
        if (rows(out, g, yh, yn, xh, xn, k1 + 1, 0)) return -1;
        if (rows(out, g, yh, yn, xh, xn, k1, -(yl + B - k0 - 1))) return -1;
    } else if (rows(out, g, yh, yn, xh, xn, k1, 0))
        return -1;
    if (rows(out, 0, yh, yn, xh, xn, k1 - 1, q0)) return -1;
    if (k0 && rows(out, 0, yh, yn, xh, xn, k1, q1)) return -1;
    for (ll i = 0; i < B - k0 - 1; i++) {
        Clause c = {{0}, 0};
        ADD_IF(c, g);
        ADD(c, -q0);
        ADD(c, -yl - i);
        ADD(c, xl + k0 + i);
        if (put(out, c.lits, c.n, 0)) return -1;
    }
    if (k0) {
        ll y0 = yl + B - k0;
        for (ll i = 0; i < k0 - 1; i++) {
            Clause c = {{0}, 0};
            ADD_IF(c, g);
            ADD(c, -q1);
            ADD(c, -y0 - i);
            ADD(c, xl + i);
            if (put(out, c.lits, c.n, 0)) return -1;
        }
        Clause c = {{0}, 0};
        ADD_IF(c, g);
        ADD(c, -q1);
        ADD(c, xl + k0 - 1);
        if (put(out, c.lits, c.n, 1)) return -1;
    }
    return 0;
}

static PyMethodDef methods[] = {
    {"le_clauses", le_clauses, METH_VARARGS, "compact.py's le_clauses (the module doc)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "compact", NULL, -1, methods};

PyMODINIT_FUNC PyInit_compact(void) { return PyModule_Create(&module); }
