"""Reading maintenance work orders: entities, who did what to what, and finding
similar past jobs.

Runs the three maintenance-text models over a file of work orders as
technicians write them, then uses ``client.embeddings.create`` (the same call
the openai package makes) to find the past order closest to a new one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import aiaas
from aiaas.types import EntityExtraction, SemanticFrames, TermEmbedding

ORDERS = Path(__file__).resolve().parent / "data" / "work-orders.txt"


def main() -> None:
    orders = ORDERS.read_text().splitlines()
    with aiaas.Client() as client:
        entities = client.models.predict("maintenance-ner", inputs=orders)
        frames = client.models.predict("maintenance-srl", inputs=orders)
        for text, found, framed in zip(
            orders,
            entities.outputs_as(EntityExtraction),
            frames.outputs_as(SemanticFrames),
            strict=True,
        ):
            print(text)
            print("  entities:", ", ".join(f"{e.text} [{e.type}]" for e in found.entities))
            for frame in framed.frames:
                roles = ", ".join(f"{a.role}={a.text!r}" for a in frame.arguments) or "-"
                print(f"  {frame.predicate.type.lower()} {frame.predicate.text!r}: {roles}")

        similar = client.models.predict(
            "maintenance-word2vec", inputs=["brg", "u/s", "hyd"], parameters={"top_k": 4}
        )
        print("\nterms used alike:")
        for term in similar.outputs_as(TermEmbedding):
            print(f"  {term.text:4} ~ " + ", ".join(t.term for t in term.most_similar))

        new_job = "bearing noisy on pmp 3"
        response = client.embeddings.create(model="maintenance-word2vec", input=[new_job, *orders])
        vectors = np.array([item.embedding for item in response.data])
        scores = vectors[1:] @ vectors[0]
        best = int(np.argmax(scores))
        print(f"\nclosest past order to {new_job!r}: {orders[best]!r} (cosine {scores[best]:.2f})")
        print(f"({response.usage.prompt_tokens} tokens embedded)")


if __name__ == "__main__":
    main()
