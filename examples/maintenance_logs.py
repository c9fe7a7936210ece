"""Reading maintenance work orders: entities, who did what to what, and finding
similar past jobs.

Runs the three maintenance-text models over a file of work orders as
technicians write them, then uses ``client.embeddings.create`` (the same call
the openai package makes) to find the past order closest to a new one.
"""

from __future__ import annotations

from pathlib import Path

import aiaas
from aiaas.system_models import maintenance_ner, maintenance_srl, maintenance_word2vec

ORDERS = Path(__file__).resolve().parent / "data" / "work-orders.txt"


def main() -> None:
    orders = ORDERS.read_text().splitlines()
    with aiaas.Client() as client:
        entities = client.models.predict(maintenance_ner, inputs=orders).outputs
        frames = client.models.predict(maintenance_srl, inputs=orders).outputs
        for text, found, framed in zip(orders, entities, frames, strict=True):
            print(text)
            print("  entities:", ", ".join(f"{e.text} [{e.type}]" for e in found.entities))
            for frame in framed.frames:
                roles = ", ".join(f"{a.role}={a.text!r}" for a in frame.arguments) or "-"
                print(f"  {frame.predicate.type.lower()} {frame.predicate.text!r}: {roles}")

        similar = client.models.predict(
            maintenance_word2vec, inputs=["brg", "u/s", "hyd"], parameters={"top_k": 4}
        )
        print("\nterms used alike:")
        for term in similar.outputs:
            print(f"  {term.text:4} ~ " + ", ".join(t.term for t in term.most_similar))

        new_job = "bearing noisy on pmp 3"
        response = client.embeddings.create(model="maintenance-word2vec", input=[new_job, *orders])
        query, *past = [item.embedding for item in response.data]
        # The vectors have unit length, so their dot product is the cosine.
        scores = [sum(q * p for q, p in zip(query, vector, strict=True)) for vector in past]
        best = max(range(len(scores)), key=scores.__getitem__)
        print(f"\nclosest past order to {new_job!r}: {orders[best]!r} (cosine {scores[best]:.2f})")
        print(f"({response.usage.prompt_tokens} tokens embedded)")


if __name__ == "__main__":
    main()
