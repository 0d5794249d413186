"""What the functions accept and return: dtypes, scalars, lists, ``out=``, extreme values and bad input."""

import re
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from conftest import CASES, FLOATS, require, special_values

import relu_lib as rl
from relu_lib import derivative

torch = require("torch")

# Every elementwise function of the library: the activations and their derivatives.
ELEMENTWISE = []
for _case in CASES:
    ELEMENTWISE.append(pytest.param(_case.fn, _case.kwargs, id=_case.id))
    ELEMENTWISE.append(pytest.param(derivative(_case.fn), _case.kwargs, id=f"{_case.id}-derivative"))

INTEGER_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.bool_]


def name_of(fn) -> str:
    return re.escape(fn.__name__)


@pytest.fixture
def no_fp_errors():
    """Any numpy warning or floating-point error raised inside the block is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


# Dtypes and the form of the result


@pytest.mark.parametrize(("fn", "kwargs"), ELEMENTWISE)
class TestForms:
    def test_float_dtypes_are_kept(self, fn, kwargs, dtype):
        x = np.linspace(-3, 3, 11).astype(dtype)
        result = fn(x, **kwargs)
        assert isinstance(result, np.ndarray) and result.dtype == dtype and result.shape == (11,)

    @pytest.mark.parametrize("int_dtype", INTEGER_DTYPES, ids=lambda d: np.dtype(d).name)
    def test_integers_and_booleans_become_float64(self, fn, kwargs, int_dtype):
        x = np.array([0, 1, 1, 0], dtype=int_dtype) if int_dtype is np.bool_ else np.arange(8, dtype=int_dtype)
        result = fn(x, **kwargs)
        assert result.dtype == np.float64
        np.testing.assert_array_equal(result, fn(x.astype(np.float64), **kwargs))

    def test_python_scalars_give_numpy_float64_scalars(self, fn, kwargs):
        for x in (-1.5, 0.0, 2.0, 3, -2, True, False):
            result = fn(x, **kwargs)
            assert type(result) is np.float64, f"{fn.__name__}({x!r}) -> {type(result)}"
            assert result == fn(np.array([float(x)]), **kwargs)[0]

    def test_numpy_scalars_keep_their_float_dtype(self, fn, kwargs):
        for dtype in FLOATS:
            assert type(fn(dtype(-0.5), **kwargs)) is dtype
        assert type(fn(np.int32(2), **kwargs)) is np.float64
        assert type(fn(np.bool_(True), **kwargs)) is np.float64

    def test_zero_dimensional_arrays_give_zero_dimensional_arrays(self, fn, kwargs, dtype):
        result = fn(np.array(1.5, dtype=dtype), **kwargs)
        assert isinstance(result, np.ndarray) and result.shape == () and result.dtype == dtype
        assert result == fn(np.array([1.5], dtype=dtype), **kwargs)[0]

    def test_lists_tuples_and_nested_lists(self, fn, kwargs):
        flat = np.array([-2.0, -0.5, 0.0, 0.5, 2.0, 7.0])
        expected = fn(flat, **kwargs)
        for x in (list(flat), tuple(flat), [-2, -0.5, 0, 0.5, 2, 7]):
            result = fn(x, **kwargs)
            assert isinstance(result, np.ndarray) and result.dtype == np.float64
            np.testing.assert_array_equal(result, expected)
        nested = [[-2.0, -0.5, 0.0], [0.5, 2.0, 7.0]]
        for x in (nested, tuple(tuple(row) for row in nested), [[[-2.0, -0.5, 0.0]], [[0.5, 2.0, 7.0]]]):
            result = fn(x, **kwargs)
            assert result.shape == np.shape(x)
            np.testing.assert_array_equal(result.ravel(), expected)

    def test_empty_inputs(self, fn, kwargs):
        for x, dtype in (([], np.float64), (np.empty((0, 3), np.float32), np.float32), (np.empty(0, int), np.float64)):
            result = fn(x, **kwargs)
            assert result.shape == np.shape(x) and result.dtype == dtype
        assert fn(np.empty((2, 0), np.float16), **kwargs).shape == (2, 0)

    def test_input_is_not_modified(self, fn, kwargs, dtype):
        x = np.array([-3.0, -0.0, 0.0, 2.0, np.nan, np.inf, -np.inf], dtype=dtype)
        before = x.copy()
        fn(x, **kwargs)
        np.testing.assert_array_equal(x, before)
        np.testing.assert_array_equal(np.signbit(x), np.signbit(before))


# out=


@pytest.mark.parametrize(("fn", "kwargs"), ELEMENTWISE)
class TestOut:
    def test_result_is_written_into_out_and_out_is_returned(self, fn, kwargs, dtype):
        x = np.linspace(-8, 8, 33).astype(dtype).reshape(3, 11)
        out = np.full_like(x, np.nan)
        assert fn(x, out=out, **kwargs) is out
        np.testing.assert_array_equal(out, fn(x, **kwargs))

    def test_in_place(self, fn, kwargs, dtype):
        # Includes NaN, -0.0 and both signs: an in-place body that reads x after
        # writing out would lose them.
        x = np.array([-3.0, -0.5, -0.0, 0.0, 0.5, 3.0, 7.0, np.nan, np.inf, -np.inf] * 7, dtype=dtype)
        expected = fn(x, **kwargs)
        y = x.copy()
        assert fn(y, out=y, **kwargs) is y
        np.testing.assert_array_equal(y, expected)
        np.testing.assert_array_equal(np.signbit(y), np.signbit(expected))

    def test_out_overlapping_the_input_partially(self, fn, kwargs, dtype):
        # out= one element along the same buffer, each way: a body that read x after
        # writing part of out would read its own results (evaluate() works apart then).
        values = np.array([-3.0, -0.5, -0.0, 0.0, 0.5, 3.0, 7.0, np.nan, np.inf, -np.inf, 20.0, -20.0] * 6, dtype=dtype)
        for shift in (1, -1):
            buf = np.append(values, values[:1])
            src, dst = (buf[:-1], buf[1:]) if shift == 1 else (buf[1:], buf[:-1])
            expected = fn(src.copy(), **kwargs)
            assert fn(src, out=dst, **kwargs) is dst
            np.testing.assert_array_equal(dst, expected)
            np.testing.assert_array_equal(np.signbit(dst), np.signbit(expected))

    def test_strided_out_and_strided_input(self, fn, kwargs, dtype):
        base = np.linspace(-8, 8, 90).astype(dtype)
        x = base[::3]
        out = np.zeros(60, dtype=dtype)[::2]
        assert fn(x, out=out, **kwargs) is out
        np.testing.assert_array_equal(out, fn(x.copy(), **kwargs))

    def test_zero_dimensional_out(self, fn, kwargs):
        out = np.array(np.nan)
        assert fn(1.5, out=out, **kwargs) is out
        assert out == fn(1.5, **kwargs)

    def test_out_of_the_wrong_shape_is_refused(self, fn, kwargs):
        with pytest.raises(
            ValueError, match=rf"{name_of(fn)}\(\) out= has shape \(4,\), but the result has shape \(3,\)"
        ):
            fn(np.zeros(3), out=np.zeros(4), **kwargs)
        with pytest.raises(ValueError, match="out= has shape"):
            fn(np.zeros((2, 3)), out=np.zeros((3, 2)), **kwargs)

    def test_out_of_the_wrong_dtype_is_refused(self, fn, kwargs):
        with pytest.raises(
            TypeError, match=rf"{name_of(fn)}\(\) out= has dtype float32, but the result has dtype float64"
        ):
            fn(np.zeros(3), out=np.zeros(3, np.float32), **kwargs)
        with pytest.raises(TypeError, match="out= has dtype int64"):
            fn(np.arange(3), out=np.zeros(3, np.int64), **kwargs)

    def test_read_only_out_is_refused(self, fn, kwargs):
        out = np.zeros(3)
        out.flags.writeable = False
        with pytest.raises(ValueError, match=rf"{name_of(fn)}\(\) out= is read-only"):
            fn(np.ones(3), out=out, **kwargs)
        np.testing.assert_array_equal(out, 0.0)

    def test_out_that_is_not_an_array_is_refused(self, fn, kwargs):
        for out in ([0.0, 0.0], (0.0,), 0.0):
            got = type(out).__name__
            with pytest.raises(TypeError, match=rf"^{name_of(fn)}\(\) out= must be a numpy array, got {got}$"):
                fn(np.ones(np.shape(out)), out=out, **kwargs)


def test_maxout_out():
    x = np.arange(12.0).reshape(3, 4)
    out = np.empty((3, 2))
    assert rl.maxout(x, 2, out=out) is out
    np.testing.assert_array_equal(out, [[1, 3], [5, 7], [9, 11]])
    with pytest.raises(ValueError, match=r"maxout\(\) out= has shape \(3, 4\), but the result has shape \(3, 2\)"):
        rl.maxout(x, 2, out=np.empty((3, 4)))
    with pytest.raises(TypeError, match=r"maxout\(\) out= has dtype float32"):
        rl.maxout(x, 2, out=np.empty((3, 2), np.float32))
    read_only = np.empty((3, 2))
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match=r"maxout\(\) out= is read-only"):
        rl.maxout(x, 2, out=read_only)
    with pytest.raises(TypeError, match=r"maxout\(\) out= must be a numpy array"):
        rl.maxout(x, 2, out=[[0.0] * 2] * 3)


def test_maxout_forms():
    assert rl.maxout([1, 5, 2, 3], 2).dtype == np.float64
    np.testing.assert_array_equal(rl.maxout([1, 5, 2, 3], 2), [5.0, 3.0])
    assert rl.maxout(np.arange(4, dtype=np.float16), 4).dtype == np.float16
    assert rl.maxout(np.arange(4, dtype=np.float32), 2, axis=0).dtype == np.float32
    assert rl.maxout(np.empty((0, 4)), 2).shape == (0, 2)
    assert rl.maxout(np.arange(6.0).reshape(2, 3), 2, axis=0).shape == (1, 3)
    assert rl.maxout(np.arange(6.0).reshape(2, 3), 3, axis=np.int64(-1)).shape == (2, 1)
    np.testing.assert_array_equal(rl.maxout([[1.0, np.nan], [3.0, 2.0]], 2), [[np.nan], [3.0]])


# Extreme values: NaN propagates, no warning, no floating-point error escapes


@pytest.mark.parametrize(("fn", "kwargs"), ELEMENTWISE)
def test_special_values_raise_nothing_and_nan_propagates(fn, kwargs, dtype, no_fp_errors):
    x = special_values(dtype)
    result = fn(x, **kwargs)
    assert result.dtype == dtype
    np.testing.assert_array_equal(np.isnan(result), np.isnan(x), err_msg=f"{fn.__name__} at {x}")
    for value in x:
        scalar = fn(value, **kwargs)
        assert np.isnan(scalar) == np.isnan(value)
    assert np.isnan(fn(float("nan"), **kwargs))


# Parameters that x's dtype can hold (float16's maximum is 65504): a slope that
# overflows the dtype when rounded to it is outside what the library promises.
@pytest.mark.parametrize(
    ("fn", "kwargs"),
    [
        (rl.leaky_relu, {"negative_slope": 0.0}),
        (rl.leaky_relu, {"negative_slope": 3.0}),
        (rl.leaky_relu, {"negative_slope": -0.5}),
        (rl.leaky_relu, {"negative_slope": 1e4}),
        (rl.prelu, {"weight": 0.0}),
        (rl.prelu, {"weight": -1e4}),
        (rl.elu, {"alpha": 0.0}),
        (rl.elu, {"alpha": 1e30}),
        (rl.elu, {"alpha": -2.0}),
        (rl.softplus, {"beta": 1e10}),
        (rl.softplus, {"beta": 1e-10}),
        (rl.softplus, {"beta": 3.0, "threshold": -5.0}),
        (rl.softplus, {"threshold": 1e6}),
    ],
    ids=lambda v: v.__name__ if callable(v) else "-".join(f"{k}={w}" for k, w in v.items()),
)
@pytest.mark.parametrize("take_derivative", [False, True], ids=["value", "derivative"])
def test_extreme_parameters_raise_nothing(fn, kwargs, take_derivative, dtype, no_fp_errors):
    f = derivative(fn) if take_derivative else fn
    x = special_values(dtype)
    result = f(x, **kwargs)
    assert result.dtype == dtype
    np.testing.assert_array_equal(np.isnan(result), np.isnan(x))


def test_leaky_relu_with_zero_slope_at_minus_infinity_is_negative_zero():
    # 0 * -inf is NaN; the limit of 0 * x is -0.0 (PyTorch gives NaN here).
    result = rl.leaky_relu(np.array([-np.inf, -1.0]), 0.0)
    np.testing.assert_array_equal(result, [0.0, 0.0])
    assert np.signbit(result).all()
    assert rl.prelu(-np.inf, 0.0) == 0


def test_maxout_special_values_raise_nothing(dtype, no_fp_errors):
    x = special_values(dtype)
    x = x[: x.size // 2 * 2]
    result = rl.maxout(x, 2)
    pairs = x.reshape(-1, 2)
    np.testing.assert_array_equal(np.isnan(result), np.isnan(pairs).any(axis=1))


# Bad input

BAD_INPUTS = [
    pytest.param("abc", TypeError, r"got str 'abc'", id="str"),
    pytest.param(b"ab", TypeError, r"got bytes b'ab'", id="bytes"),
    pytest.param(None, TypeError, r"got NoneType None", id="None"),
    # numpy's own strings are numpy scalars too, and are refused as strings, not read as arrays.
    pytest.param(
        np.str_("1.0"), TypeError, r"\(a float, int, list or array\), got str_ np.str_\('1.0'\)$", id="np.str_"
    ),
    pytest.param(
        np.bytes_(b"1"), TypeError, r"\(a float, int, list or array\), got bytes_ np.bytes_\(b'1'\)$", id="np.bytes_"
    ),
    pytest.param(object(), TypeError, r"got object", id="object"),
    pytest.param({"a": 1.0}, TypeError, r"got dict", id="dict"),
    pytest.param({1.0, 2.0}, TypeError, r"got set", id="set"),
    pytest.param(Decimal("1.5"), TypeError, r"got Decimal", id="Decimal"),
    pytest.param([1, "a"], TypeError, r"got list \(numpy reads it as dtype <U", id="mixed-list"),
    pytest.param([1.0, None], TypeError, r"got list \(numpy reads it as dtype object\)", id="list-with-None"),
    pytest.param([[1, 2], [3]], ValueError, r"got a ragged list", id="ragged"),
    pytest.param((1.0, (2.0, 3.0)), ValueError, r"got a ragged tuple", id="ragged-tuple"),
    pytest.param(1 + 2j, TypeError, r"got complex \(1\+2j\)", id="complex"),
    pytest.param(np.complex64(1), TypeError, r"got complex values \(dtype complex64\)", id="numpy-complex"),
    pytest.param(np.array([1 + 2j]), TypeError, r"got complex values \(dtype complex128\)", id="complex-array"),
    pytest.param([1.0, 2j], TypeError, r"got complex values", id="complex-list"),
    pytest.param(
        np.array(["2020-01-01"], dtype="datetime64[D]"),
        TypeError,
        r"got an array of dtype datetime64\[D\]$",
        id="datetime64",
    ),
    pytest.param(np.timedelta64(3, "s"), TypeError, r"timedelta64", id="timedelta64"),
    pytest.param(np.array([1.0, "a"], dtype=object), TypeError, r"got an array of dtype object$", id="object-array"),
    pytest.param([10**400], ValueError, r"within float64's range, got list", id="huge-int"),
    pytest.param(
        np.ones(2, dtype=np.longdouble),
        TypeError,
        r"in float16, float32 or float64, .* got float128: convert it first",
        id="longdouble",
        marks=pytest.mark.skipif(np.dtype(np.longdouble) == np.float64, reason="longdouble is float64 here"),
    ),
    # An array's dtype is named once: no "numpy reads it as" after it.
    pytest.param(np.array(["1.0"]), TypeError, r"got an array of dtype <U3$", id="str-array"),
]


@pytest.mark.parametrize(("bad", "error", "what_came"), BAD_INPUTS)
@pytest.mark.parametrize(("fn", "kwargs"), ELEMENTWISE)
def test_bad_input_is_refused_with_a_clear_message(fn, kwargs, bad, error, what_came):
    # The message names the function, what it expects and what it got.
    with pytest.raises(error, match=rf"^{name_of(fn)}\(\) expects (a )?(real numbers|rectangular).*{what_came}"):
        fn(bad, **kwargs)


@pytest.mark.parametrize(("bad", "error", "what_came"), BAD_INPUTS)
def test_maxout_refuses_bad_input(bad, error, what_came):
    with pytest.raises(error, match=rf"^maxout\(\) expects .*{what_came}"):
        rl.maxout(bad, 2)


# Bad parameters

BAD_PARAMETERS = [
    (rl.leaky_relu, {"negative_slope": "a"}, TypeError, r"negative_slope must be a real number, got str 'a'"),
    (rl.leaky_relu, {"negative_slope": None}, TypeError, r"negative_slope must be a real number, got NoneType None"),
    (rl.leaky_relu, {"negative_slope": True}, TypeError, r"negative_slope must be a real number, got bool True"),
    (rl.leaky_relu, {"negative_slope": [0.1]}, TypeError, r"negative_slope must be a real number, got list"),
    (rl.leaky_relu, {"negative_slope": float("nan")}, ValueError, r"negative_slope must be finite, got nan"),
    (rl.leaky_relu, {"negative_slope": float("-inf")}, ValueError, r"negative_slope must be finite, got -inf"),
    (rl.elu, {"alpha": float("nan")}, ValueError, r"alpha must be finite, got nan"),
    (rl.elu, {"alpha": float("inf")}, ValueError, r"alpha must be finite, got inf"),
    (rl.elu, {"alpha": "1"}, TypeError, r"alpha must be a real number, got str '1'"),
    (rl.softplus, {"beta": 0}, ValueError, r"beta must be positive, got 0.0"),
    (rl.softplus, {"beta": -1}, ValueError, r"beta must be positive, got -1.0"),
    (rl.softplus, {"beta": float("nan")}, ValueError, r"beta must be finite"),
    (rl.softplus, {"threshold": float("inf")}, ValueError, r"threshold must be finite, got inf"),
    (rl.softplus, {"threshold": float("nan")}, ValueError, r"threshold must be finite, got nan"),
    (rl.softplus, {"threshold": "20"}, TypeError, r"threshold must be a real number, got str '20'"),
    (rl.gelu, {"approximate": "fast"}, ValueError, r"approximate must be 'none' or 'tanh', got 'fast'"),
    (rl.gelu, {"approximate": None}, ValueError, r"approximate must be 'none' or 'tanh', got None"),
    (rl.gelu, {"approximate": True}, ValueError, r"approximate must be 'none' or 'tanh', got True"),
    (rl.prelu, {"weight": "a"}, TypeError, r"expects real numbers .*got str 'a'"),
    (rl.prelu, {"weight": None}, TypeError, r"expects real numbers .*got NoneType None"),
    (rl.prelu, {"weight": []}, ValueError, r"weight is empty"),
    (
        rl.prelu,
        {"weight": [0.1, 0.2]},
        ValueError,
        r"weight has 2 slopes, one per channel, but x has 3 along its channel axis \(axis 1\)",
    ),
    (rl.prelu, {"weight": [[0.1, 0.2, 0.3]]}, ValueError, r"weight must be a scalar or 1-D, got shape \(1, 3\)"),
    (rl.prelu, {"weight": [[0.25]]}, ValueError, r"weight must be a scalar or 1-D, got shape \(1, 1\)"),
]


@pytest.mark.parametrize(("fn", "kwargs", "error", "message"), BAD_PARAMETERS)
@pytest.mark.parametrize("take_derivative", [False, True], ids=["value", "derivative"])
def test_bad_parameters_are_refused(fn, kwargs, error, message, take_derivative):
    f = derivative(fn) if take_derivative else fn
    # The message names the function that was called, then the parameter.
    name = fn.__name__ + ("_derivative" if take_derivative else "")
    with pytest.raises(error, match=rf"^{name}\(\) .*{message}"):
        f(np.ones((2, 3)), **kwargs)


def test_prelu_weight_against_the_shape_of_x():
    # As in PyTorch, a scalar or 1-D x is one channel (a scalar reaches the check as shape (1,)).
    for x in (1.0, [1.0, -1.0, 2.0]):
        with pytest.raises(
            ValueError,
            match=r"prelu\(\) weight has 2 slopes, one per channel, but x of 1 dimension\(s\) has one channel "
            r"\(as in PyTorch, the channel axis is axis 1\); give one slope$",
        ):
            rl.prelu(x, [0.1, 0.2])
    with pytest.raises(RuntimeError, match="channel size = 1"):
        torch.nn.functional.prelu(torch.tensor([1.0, -1.0, 2.0]), torch.tensor([0.1, 0.2]))
    with pytest.raises(
        ValueError, match=r"prelu_derivative\(\) weight has 2 slopes, one per channel, but x has 4 along"
    ):
        derivative(rl.prelu)(np.ones((1, 4, 2)), [0.1, 0.2])
    # One slope works for any shape, a scalar x included.
    assert rl.prelu(-2.0, [0.5]) == -1.0
    assert rl.prelu(-2.0, np.array(0.5)) == -1.0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"pieces": 0}, ValueError, r"maxout\(\) pieces must be a positive integer, got 0"),
        ({"pieces": -2}, ValueError, r"maxout\(\) pieces must be a positive integer, got -2"),
        ({"pieces": 2.5}, TypeError, r"maxout\(\) pieces must be a positive integer, got float 2.5"),
        ({"pieces": 2.0}, TypeError, r"maxout\(\) pieces must be a positive integer, got float 2.0"),
        ({"pieces": True}, TypeError, r"maxout\(\) pieces must be a positive integer, got bool True"),
        ({"pieces": "2"}, TypeError, r"maxout\(\) pieces must be a positive integer, got str '2'"),
        ({"pieces": None}, TypeError, r"maxout\(\) pieces must be a positive integer, got NoneType None"),
        ({"pieces": 4}, ValueError, r"maxout\(\) needs x.shape\[1\] = 6 to be divisible by pieces = 4"),
        ({"pieces": 2, "axis": 0}, ValueError, r"maxout\(\) needs x.shape\[0\] = 3 to be divisible by pieces = 2"),
        ({"pieces": 2, "axis": 2}, ValueError, r"maxout\(\) axis 2 is out of range for an array with 2 axes"),
        ({"pieces": 2, "axis": -3}, ValueError, r"maxout\(\) axis -3 is out of range"),
        ({"pieces": 2, "axis": 1.0}, TypeError, r"maxout\(\) axis must be an integer, got float 1.0"),
        ({"pieces": 2, "axis": True}, TypeError, r"maxout\(\) axis must be an integer, got bool True"),
    ],
)
def test_maxout_bad_parameters(kwargs, error, message):
    with pytest.raises(error, match=message):
        rl.maxout(np.ones((3, 6)), **kwargs)


@pytest.mark.parametrize("scalar", [3.0, 2, np.float32(1.0), np.array(1.0)], ids=["float", "int", "f32", "0d"])
def test_maxout_refuses_scalars(scalar):
    with pytest.raises(ValueError, match=r"maxout\(\) needs an array with at least one axis, got a scalar"):
        rl.maxout(scalar, 1)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        pytest.param(
            rl.maxout, r"^derivative\(\) needs an elementwise activation; maxout reduces groups of values$", id="maxout"
        ),
        pytest.param(
            print,
            r"derivative\(\) needs an elementwise activation of relu_lib such as relu_lib.relu, got print",
            id="print",
        ),
        pytest.param(
            "nope", r"derivative\(\) knows the elementwise activations \[.*'relu'.*\], got the name 'nope'", id="nope"
        ),
        pytest.param("maxout", r"got the name 'maxout'", id="name-maxout"),
        pytest.param("RELU", r"got the name 'RELU'", id="name-RELU"),
        pytest.param(lambda x: x, r"got <lambda>", id="lambda"),
        pytest.param(np.maximum, r"got maximum", id="ufunc"),
        pytest.param(None, r"got NoneType", id="None"),
        pytest.param(123, r"got int", id="int"),
        pytest.param(["relu"], r"got list", id="list"),
        pytest.param(derivative(rl.relu), r"got relu_derivative", id="a-derivative"),
    ],
)
def test_derivative_refuses_what_is_not_an_elementwise_activation(fn, message):
    with pytest.raises(TypeError, match=message):
        derivative(fn)


def test_registry_derivative_of_maxout_raises_type_error():
    with pytest.raises(TypeError, match="maxout"):
        rl.REGISTRY["maxout"].derivative  # noqa: B018


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (Fraction(1, 3), 1 / 3),
        (Fraction(-7, 2), 0.0),
        (2**70, 2.0**70),
        ([2**70, -(2**80), 3], [2.0**70, 0.0, 3.0]),
        (np.array([1.5, -2.0], dtype=object), [1.5, 0.0]),
    ],
    ids=["fraction", "negative-fraction", "int-beyond-int64", "list-beyond-int64", "object-array-of-floats"],
)
def test_python_reals_numpy_keeps_as_objects_are_read_as_float64(x, expected) -> None:
    # Fraction and ints beyond int64 are real numbers: numpy stores them as objects, relu_lib reads float64.
    result = rl.relu(x)
    assert np.asarray(result).dtype == np.float64
    np.testing.assert_array_equal(result, expected)
    assert np.asarray(rl.derivative(rl.relu)(x)).dtype == np.float64


def test_extended_precision_is_refused_by_every_function_before_any_arithmetic() -> None:
    if np.dtype(np.longdouble) == np.float64:
        pytest.skip("np.longdouble is float64 on this platform: nothing to refuse")
    x = np.array([0.5, -0.5], dtype=np.longdouble)
    for fn in (rl.relu, rl.gelu, rl.sigmoid, rl.tanh):
        with pytest.raises(TypeError, match=rf"^{fn.__name__}\(\) expects real numbers in float16, float32 or float64"):
            fn(x)


def test_a_slope_beyond_float16_becomes_infinite_without_a_warning() -> None:
    x = np.array([-1.0, 2.0], dtype=np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = rl.prelu(x, 1e5)
    expected = torch.nn.functional.prelu(torch.from_numpy(x), torch.tensor([1e5]).to(torch.float16)).numpy()
    np.testing.assert_array_equal(got, expected)
    assert got[0] == -np.inf and got.dtype == np.float16


def test_float16_leaky_relu_rounds_once_as_torch_does() -> None:
    # Every float16 in [-2048, -1]: the product with the slope is formed in float32 and rounded once.
    first, last = (int(np.float16(v).view(np.uint16)) for v in (-2048, -1))
    x = np.unique(np.arange(first, last - 1, -1).astype(np.uint16).view(np.float16))
    assert x.size > 2000 and x.min() == -2048 and x.max() == -1
    for slope in (0.01, 0.2, 0.3):
        expected = torch.nn.functional.leaky_relu(torch.from_numpy(x), slope).numpy()
        np.testing.assert_array_equal(rl.leaky_relu(x, slope), expected)
