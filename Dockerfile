# syntax=docker/dockerfile:1
# Two stages on the AWS Lambda Node.js 24 base image. The builder installs dev dependencies and
# bundles the entry points with esbuild (scripts/build.ts); the final image carries only dist/ and
# the V8 compile cache made from it: no node_modules, no sources. Lambda runs it as a
# least-privileged user, so no USER line.

FROM public.ecr.aws/lambda/nodejs:24 AS builder
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY app ./app
COPY scripts/build.ts ./scripts/build.ts
COPY scripts/esbuild ./scripts/esbuild
# dist/handler.mjs (gateway) + dist/preTraffic.mjs (CodeDeploy hook) + lazily loaded chunks
RUN npm run build

FROM public.ecr.aws/lambda/nodejs:24
COPY --from=builder /build/dist/ ${LAMBDA_TASK_ROOT}/
# V8's compile cache for the bundle, made where it runs (the cache is keyed by file path):
# about a fifth off the cold import. Read-only at run time; a runtime that ignores it loses nothing.
ENV NODE_COMPILE_CACHE=${LAMBDA_TASK_ROOT}/.compile-cache
RUN node --input-type=module -e "await import('${LAMBDA_TASK_ROOT}/handler.mjs'); await import('${LAMBDA_TASK_ROOT}/preTraffic.mjs'); process.exit(0)"
# The PreTraffic hook function overrides this with ImageConfig.Command ["preTraffic.handler"].
CMD ["handler.handler"]
