/** The Ansible each hop runs against the range its Kubespray tag accepts. */
import { defineCheck } from '../check-module.js';
import { ANSIBLE_CHECK, checkAnsibleVersions } from '../ansible.js';

export const ansibleCheck = defineCheck({
  id: ANSIBLE_CHECK,
  needs: 'model',
  docs: {
    title: 'Ansible version', severity: 'block', hops: 'each',
    description: 'the Ansible each hop runs (local or the venv pin) against the range its Kubespray tag accepts',
    blocksWhen: 'the Ansible that would run is outside the tag\'s range',
  },
  evaluate: (ctx) => checkAnsibleVersions({ hops: ctx.hops, local: ctx.localAnsible, force: ctx.forceAnsible }),
});
