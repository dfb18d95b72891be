"""The only module that talks to Stripe's API (Checkout Sessions and Refunds)."""

from dataclasses import dataclass
from datetime import datetime

import stripe
from stripe.params.checkout import SessionCreateParams

from booking.services.errors import PaymentError


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


# Stripe's library waits 80 seconds by default. A person (or staff) is waiting on the page, and
# a refund that times out is simply retried with the same idempotency key, so fail fast.
TIMEOUT_SECONDS = 10


class RefundRefused(Exception):
    """Stripe did not make a refund (refused, unreachable, or timed out); ``str()`` says why."""


class StripeGateway:
    """A thin wrapper so callers can be given a gateway (real Stripe or a local fake server)."""

    def __init__(
        self, secret_key: str, api_base: str | None = None, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

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
        params: SessionCreateParams = {
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
        if session.url is None:  # only a session that is already complete or expired has none
            raise PaymentError("payment_provider_error")
        return CheckoutSession(id=session.id, url=session.url)

    def refund(self, *, payment_intent_id: str, amount_pence: int, idempotency_key: str) -> str:
        """Refund part or all of a card payment; returns Stripe's refund id.

        The same idempotency key sent twice makes one refund, so a retry after a timeout is
        safe. Raises RefundRefused with Stripe's reason.
        """
        try:
            refund = self.client.v1.refunds.create(
                {"payment_intent": payment_intent_id, "amount": amount_pence},
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise RefundRefused(
                getattr(error, "user_message", None) or type(error).__name__
            ) from error
        return refund.id


def gateway_from_config(config) -> StripeGateway | None:
    """A gateway when STRIPE_SECRET_KEY is set; None means online card payment is off."""
    key = config.get("STRIPE_SECRET_KEY")
    if not key:
        return None
    return StripeGateway(key, config.get("STRIPE_API_BASE") or None)


def signature_is_valid(payload: str, header: str, secret: str) -> bool:
    """Whether a webhook's ``Stripe-Signature`` header signs this exact body with our endpoint
    secret, within Stripe's tolerance (five minutes), so an old request cannot be replayed."""
    try:
        stripe.WebhookSignature.verify_header(
            payload, header, secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
    except stripe.SignatureVerificationError:
        return False
    return True
