"""The only module that talks to Stripe's API (Checkout Sessions and Refunds)."""

from dataclasses import dataclass
from datetime import datetime

import stripe

from booking.services.errors import PaymentError


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


class StripeGateway:
    """A thin wrapper so services can be given a gateway (real Stripe or a local fake server)."""

    def __init__(self, secret_key: str, api_base: str | None = None) -> None:
        base = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(secret_key, base_addresses=base, max_network_retries=0)

    def create_checkout_session(
        self,
        *,
        amount_pence: int,
        description: str,
        metadata: dict[str, str],
        client_reference_id: str,
        expires_at: datetime,
        success_url: str,
        cancel_url: str,
        customer_email: str | None,
        idempotency_key: str,
    ) -> CheckoutSession:
        """Open a Checkout Session. Raises PaymentError("payment_provider_error")."""
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "gbp",
                        "unit_amount": amount_pence,
                        "product_data": {"name": description},
                    },
                }
            ],
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "client_reference_id": client_reference_id,
            "expires_at": int(expires_at.timestamp()),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_email:
            params["customer_email"] = customer_email
        try:
            session = self.client.v1.checkout.sessions.create(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as error:
            raise PaymentError("payment_provider_error") from error
        return CheckoutSession(id=session.id, url=session.url)

    def refund(self, *, payment_intent_id: str, amount_pence: int, idempotency_key: str) -> str:
        """Refund part or all of a card payment; returns Stripe's refund id."""
        try:
            refund = self.client.v1.refunds.create(
                {"payment_intent": payment_intent_id, "amount": amount_pence},
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise PaymentError("payment_provider_error") from error
        return refund.id


def gateway_from_config(config) -> StripeGateway | None:
    """A gateway when STRIPE_SECRET_KEY is set; None means online card payment is off."""
    key = config.get("STRIPE_SECRET_KEY")
    if not key:
        return None
    return StripeGateway(key, config.get("STRIPE_API_BASE") or None)
