"""The search domain's one policy, which the API and the page both use."""
from cki.core.auth import Principal, admits


def may_search(principal: Principal) -> bool:
    """The CKI's own staff (an outsourced assessor sees only its dossiers; a company has its pages)."""
    return admits(principal, staff=True)
