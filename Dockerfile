# The Penata service image for compose.yaml: the package and its dependencies from
# pyproject.toml, nothing else. Build: docker build -t penata .
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY solver solver
COPY api api
COPY scenarios scenarios
# EXTRAS=ray adds Ray (the compose file's ray-head and PENATA_RAY_ADDRESS need it).
ARG EXTRAS=ray
RUN pip install --no-cache-dir ".[${EXTRAS}]" && useradd --system --uid 10001 penata
USER penata
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["penata", "serve", "--host", "0.0.0.0", "--port", "8000"]
