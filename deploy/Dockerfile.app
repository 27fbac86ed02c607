# One image for every process of the app environment; the command chooses the process:
#   web        uvicorn bot.channels.web.app:app --host 0.0.0.0 --port 8000
#   actions    python -m actions.server --actions actions --port 5055
#   dispatch   sportello dispatch
#   telegram   sportello telegram
#   (`sportello scheduler` and any other `sportello` command the same way)
#   docker build -f deploy/Dockerfile.app -t sportello-app .
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv
COPY requirements/app.lock requirements/app.lock
RUN pip install --no-deps -r requirements/app.lock
COPY pyproject.toml ./
COPY actions actions
COPY backend backend
COPY bot bot
COPY console console
RUN pip install --no-deps --no-build-isolation . && mkdir -p var && chown 65534:65534 var
USER 65534:65534
EXPOSE 8000 5055 9100
CMD ["uvicorn", "bot.channels.web.app:app", "--host", "0.0.0.0", "--port", "8000"]
