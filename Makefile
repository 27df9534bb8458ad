# imagecache: entry points. `make test` and `make demo` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
MVN ?= mvn -B -ntp
TOOLS_BIN = $(shell scripts/install-tools.sh --bin-dir)
export IMAGECACHE_TOOLS_BIN = $(TOOLS_BIN)
export PATH := $(TOOLS_BIN):$(CURDIR)/provider/bin:$(PATH)
export TESTCONTAINERS_RYUK_DISABLED = true
export TESTCONTAINERS_HOST_OVERRIDE = localhost
export PULUMI_SKIP_UPDATE_CHECK = true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = true

.PHONY: help tools tools-bin node-tools node-tools-dir lab provider provider-bin schema docs sdks sdk-java dist demo test unit it bench clean

help:
	@echo "make demo   run the examples on the local lab (installs everything first)"
	@echo "make test   build and pass every test: unit, integration (real sshd/registries) and real-CLI examples"
	@echo "make tools  install Debian packages, start dockerd, build pulumi + language hosts + crictl,"
	@echo "            and the lab's containerd 1.7 / 2.x and distribution 3 binaries"
	@echo "make lab    build the lab images locally"
	@echo "make provider / schema / clean"
	@echo "make bench  start-up, no-op preview, fleet, cache and migration benchmarks (bench/run.sh, BENCHMARKS.md); PARTS=startup for one"
	@echo "make docs   regenerate README.md's resource reference from schema.json"
	@echo "make sdks   regenerate the committed SDKs from schema.json (sdk-java: sdk/java)"
	@echo "make dist   dist/pulumi-resource-imagecache-v<version>-linux-amd64.tar.gz; the Java SDK into ~/.m2"

# The node tools (containerd 1.7/2.x, distribution 3) have their own script and cache key, so that
# neither set of tools is rebuilt when the other's pins change.
tools:
	@scripts/install-tools.sh
	@scripts/install-vm-tools.sh
	@scripts/install-node-tools.sh

node-tools:
	@scripts/install-node-tools.sh

node-tools-dir:
	@scripts/install-node-tools.sh --dir

tools-bin:
	@scripts/install-tools.sh --bin-dir

lab: tools
	@lab/images/build.sh

# The launcher's class-data archive (AppCDS on Java 17, the AOT cache on Java 25) for the JDK it will use, from a
# training run of the jar just built: target/dist/jvm/. Without it the launcher builds one on first start.
provider:
	$(MVN) -q -pl provider -am package -Dmaven.test.skip=true
	@provider/bin/pulumi-resource-imagecache --build-jvm-cache provider/target/dist/jvm >/dev/null \
	  || echo "[provider] no class-data archive made: the plugin starts without one (slower)" >&2

provider-bin:
	@echo $(CURDIR)/provider/bin

# schema.json is generated from the provider's code; ProviderSchemaTest fails when they differ.
schema: provider
	java -cp 'provider/target/dist/imagecache-provider.jar' io.imagecache.provider.SchemaMain > schema.json.tmp && mv schema.json.tmp schema.json

# README.md's reference (between its reference markers) is generated from schema.json; ReferenceDocsTest fails when they differ.
docs: provider
	java -cp 'provider/target/dist/imagecache-provider.jar' io.imagecache.schema.ReferenceDocs schema.json README.md

# The SDKs are generated from schema.json and committed; JavaSdkIT (and its siblings) fail when they differ.
sdks: sdk-java

sdk-java:
	@scripts/gen-sdk-java.sh

# dist/: the plugin tarball for `pulumi plugin install resource imagecache <version> --file ...`, and the
# Java SDK installed to the local Maven repository.
dist: tools
	@scripts/dist.sh

# scripts/demo.sh builds the provider and the examples itself (quietly: its output is the demo's)
demo: tools lab
	@scripts/demo.sh

test: tools lab
	$(MVN) verify

unit:
	$(MVN) test

# issue 11's benchmarks (bench/run.sh; BENCHMARKS.md): make bench, or make bench PARTS=startup, RUNS=N, FLEET=10,50,100, NODES=10 BATCH=2
PARTS ?=
bench: tools provider
	@bench/run.sh $(PARTS)

# One integration test class (or a comma list), after `make tools lab` once: make it IT=ContainerdMirror2IT
it:
	$(MVN) -pl lab,provider,examples -am verify -Dit.test=$(IT) -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false


# The TypeScript, Python and Go SDKs: sdk/nodejs, sdk/python, sdk/go from schema.json (scripts/gen-sdks.sh:
# our generator over pkg/v3's codegen; SdkDriftIT fails when they differ). `sdks` regenerates every SDK
# (each language's target adds itself as a prerequisite). lang-deps: their npm, PyPI and Go dependencies,
# cached outside the checkout (prints the directories); `make test` installs them first.
.PHONY: sdks sdk-langs lang-deps
sdks: sdk-langs

sdk-langs:
	@scripts/gen-sdks.sh

lang-deps:
	@scripts/install-lang-deps.sh

test: lang-deps

clean:
	$(MVN) -q clean
