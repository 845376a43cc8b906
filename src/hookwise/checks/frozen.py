"""Frozen records for ``hookwise check``'s path, without ``dataclasses``.

The check path builds findings, parser objects and the checker's output
at every commit, within 50 ms of everything it adds (DESIGN §6), and
``import dataclasses`` costs ~15 ms there on its own (it imports
``inspect``, which imports ``ast``, ``dis`` and ``tokenize``; best of 7 with
``python -X importtime`` on the 2-core development machine). ``Frozen``
gives a class with ``__slots__`` what the frozen dataclasses it replaces
gave: equality and hashing by value (only with the same class), a ``repr``
naming the fields, assignment refused, ``replace``, and pickling.

A subclass names its fields in ``_fields``, in the order of its
``__init__``'s parameters, makes them its ``__slots__``, and assigns them
all with ``_set``.
"""

from __future__ import annotations

# typing is not loaded on the check path; the annotations need it only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Self


class FrozenError(AttributeError):
    """A field of a frozen record was assigned or deleted."""


class Frozen:
    """A value: fields set once in ``__init__``, compared and hashed by value."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def _set(self, *values: object) -> None:
        for name, value in zip(self._fields, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` made, as ``dataclasses.replace`` gives."""
        values = dict(zip(self._fields, self._values(), strict=True))
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        values.update(changes)
        return type(self)(**values)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Frozen)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        values = zip(self._fields, self._values(), strict=True)
        fields = ", ".join(f"{name}={value!r}" for name, value in values)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[type[Self], tuple[Any, ...]]:
        return type(self), self._values()
