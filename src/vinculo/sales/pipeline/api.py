"""REST endpoints of pipelines, stages and opportunities."""

from ninja import Router

from vinculo.platform.crud import resource_router

from .schemas import (
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageIn,
    StageOut,
    StagePatch,
)

pipelines = resource_router("pipelines", In=PipelineIn, Patch=PipelinePatch, Out=PipelineOut)
stages = resource_router("stages", In=StageIn, Patch=StagePatch, Out=StageOut)
opportunities = resource_router("opportunities", In=OpportunityIn, Patch=OpportunityPatch,
                                Out=OpportunityOut)

router = Router()
router.add_router("/pipelines", pipelines)
router.add_router("/stages", stages)
router.add_router("/opportunities", opportunities)
