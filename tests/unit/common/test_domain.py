"""Every domain error of every service speaks the errors-as-data contract."""

from __future__ import annotations

import pytest

import services.order.domain
import services.product.domain
import services.user.domain
from common.domain import DomainError, NotFound, OutOfStock, Unavailable
from common.error_details import Reason

# Imported for their subclasses of DomainError.
SERVICES = (services.order.domain, services.product.domain, services.user.domain)


def all_subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    found: list[type[DomainError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *all_subclasses(sub)]
    return found


@pytest.mark.parametrize("error", all_subclasses(DomainError), ids=lambda c: c.__name__)
def test_each_reason_is_one_of_the_contract(error: type[DomainError]) -> None:
    assert Reason(error.reason)


def test_the_shared_errors_state_the_contracts_facts() -> None:
    assert NotFound("order", "o-1").facts() == {"resource": "order", "id": "o-1"}
    assert OutOfStock("p", 3, None).facts() == {"product_id": "p", "requested": "3"}
    assert str(OutOfStock("p", 3, None)) == "product p is out of stock"
    assert Unavailable("product service").facts() == {"dependency": "product service"}
